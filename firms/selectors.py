"""Read queries over the firm registry.

Which firms a user may see follows from which applications they may see (an officer sees the
firms that applied to their programs), so that scoping lives with the applications:
``applications.selectors.firm_list``.
"""

from __future__ import annotations

from django.contrib.auth.models import User


def firm_users(*, firm_id: int) -> list[User]:
    """The firm's active staff, the people told about its applications."""
    return list(User.objects.filter(firm_membership__firm_id=firm_id, is_active=True).order_by("pk"))
