from __future__ import annotations

from django.apps import AppConfig


class SmeSupportConfig(AppConfig):
    """The project package as an app, for the little state the API wiring keeps of its own
    (``IdempotentRequest``)."""

    name = "sme_support"
    verbose_name = "sme-support"
    default_auto_field = "django.db.models.BigAutoField"
