from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        # Django loads models only once every app is registered, hence the imports here.
        from applications.reminders import compose, due
        from applications.statistics.aggregates import register_sqlite_functions
        from notifications.reminder_mail import register_composer
        from notifications.reminders import register_reminders

        # The statistics' median needs an aggregate that SQLite (the embedded default) lacks.
        connection_created.connect(register_sqlite_functions, dispatch_uid="applications.sqlite_functions")

        register_reminders(deadlines=due.deadlines_due, digests=due.digests_due)
        for kind, builder in compose.BUILDERS.items():
            register_composer(kind, builder)
