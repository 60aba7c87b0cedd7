from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FirmsConfig(AppConfig):
    name = "firms"
    verbose_name = _("Firms")
