"""The review register the application workflow asks (``applications.review_register``): the
conflicts of interest officers declared, and the programs' review scores."""

from __future__ import annotations

from decimal import Decimal

from reviews.models import ConflictOfInterest
from reviews.selectors import application_scores


class ReviewRegister:
    def is_recused(self, *, user_id: int, firm_id: int) -> bool:
        return ConflictOfInterest.objects.filter(reviewer_id=user_id, firm_id=firm_id).exists()

    def program_scores(self, *, program_id: int) -> dict[int, Decimal]:
        return application_scores(program_id=program_id)
