"""What the application workflow asks of the review of applications.

Two questions: has this officer declared a conflict of interest with the applying firm
(they are then recused from every action on its applications, at every door), and what are
the review scores of a program's applications (ranked selection and the "decide on scores"
policy use them). The ``reviews`` app keeps the conflict register and the scores; it builds
on the workflow, so it sits above ``applications`` and registers its answers here when Django
starts (``ReviewsConfig.ready``). Nothing answers by default: a question asked before the
reviews app registered raises ``ImproperlyConfigured`` instead of letting a rule lapse.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class ReviewRegister(Protocol):
    def is_recused(self, *, user_id: int, firm_id: int) -> bool:
        """Whether the user declared a conflict of interest with the firm."""

    def program_scores(self, *, program_id: int) -> dict[int, Decimal]:
        """Application id → weighted review score (0–100) of the program's scored applications."""


_registered: ReviewRegister | None = None


def register(review_register: ReviewRegister) -> None:
    global _registered  # set once, when Django starts
    _registered = review_register


def review_register() -> ReviewRegister:
    if _registered is None:
        raise ImproperlyConfigured(
            "No review register: add 'reviews' to INSTALLED_APPS (its AppConfig.ready registers the "
            "conflict-of-interest register and the review scores)."
        )
    return _registered
