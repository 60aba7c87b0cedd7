from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        # Django loads models only once every app is registered, hence the imports here.
        from applications import review_register
        from reviews.register import ReviewRegister

        review_register.register(ReviewRegister())
