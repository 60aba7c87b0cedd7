"""``python manage.py seed_demo [--seed N] [--firms N]``: a realistic demo data set.

Deterministic (one ``random.Random(seed)``), idempotent (natural keys; a second run adds
nothing and says so), in one transaction, and built through the same services the portal
and the officer workspace use. Prints where to sign in and with which demo logins.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.utils.url import maybe_sanitize_url

from applications.workflow import Status
from demo.load import DemoSeedError, SeedResult, seed_demo
from demo.records import ADMIN_ROLE, DEMO_PASSWORD, DemoSpec
from demo.spec import DEFAULT_FIRM_COUNT, DEFAULT_SEED, MAX_FIRM_COUNT, MIN_FIRM_COUNT, OFFERED_RECIPES, build_spec
from sme_support.roles import Role


class _UnqueuedScreening(logging.Filter):
    """Count, instead of printing a traceback for each, the submissions whose screening task
    could not reach the broker: the demo submits ~90 applications in one go."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.getMessage().startswith("Could not enqueue screening"):
            self.count += 1
            return False
        return True


class Command(BaseCommand):
    help = "Create a realistic, deterministic demo data set: users, firms, calls and applications in every state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed (default {DEFAULT_SEED}); same seed, same data.",
        )
        parser.add_argument(
            "--firms",
            type=int,
            default=DEFAULT_FIRM_COUNT,
            help=f"How many firms, {MIN_FIRM_COUNT}–{MAX_FIRM_COUNT} (default {DEFAULT_FIRM_COUNT}).",
        )

    def handle(self, *args: Any, seed: int, firms: int, **options: Any) -> None:
        if not MIN_FIRM_COUNT <= firms <= MAX_FIRM_COUNT:
            raise CommandError(
                _("--firms must be between %(low)s and %(high)s, got %(value)s.")
                % {"low": MIN_FIRM_COUNT, "high": MAX_FIRM_COUNT, "value": firms}
            )
        started = time.monotonic()
        spec = build_spec(seed=seed, firm_count=firms, today=timezone.localdate(), tz=timezone.get_current_timezone())
        unqueued = _UnqueuedScreening()
        services_log = logging.getLogger("sme_support.queue")
        services_log.addFilter(unqueued)
        try:
            # Submissions enqueue their screening when this transaction commits.
            with transaction.atomic():
                result = seed_demo(spec=spec)
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            services_log.removeFilter(unqueued)
        elapsed = time.monotonic() - started
        self._report(result, spec, elapsed)
        if unqueued.count:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The task broker (%(broker)s) could not be reached, so %(count)s screening tasks were not "
                        "queued; the sweeper queues them again once the broker, a worker and beat are running."
                    )
                    % {"broker": maybe_sanitize_url(settings.CELERY_BROKER_URL), "count": unqueued.count}
                )
            )
        self._print_logins(spec)

    def _report(self, result: SeedResult, spec: DemoSpec, elapsed: float) -> None:
        if not result.created_anything:
            self.stdout.write(self.style.WARNING(_("The demo data is already there; nothing was added.")))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data created in %(seconds).1f s (seed %(seed)s): %(users)s users, %(firms)s firms, "
                    "%(programs)s calls, %(applications)s applications."
                )
                % {
                    "seconds": elapsed,
                    "seed": spec.seed,
                    "users": result.users,
                    "firms": result.firms,
                    "programs": result.programs,
                    "applications": result.applications,
                }
            )
        )
        waiting = sum(1 for a in spec.applications if a.expected_status in (Status.SUBMITTED, Status.SCREENING))
        if result.applications and waiting:
            self.stdout.write(
                _(
                    "%(count)s applications wait for their eligibility check; a running worker "
                    "(celery -A sme_support worker) screens them."
                )
                % {"count": waiting}
            )

    def _print_logins(self, spec: DemoSpec) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            admin_path = reverse("admin:index")
        lead = sum(1 for p in spec.programs if p.lead_officer == "officer1")
        firm_of = {f.owner: f for f in spec.firms}
        todo: dict[str, set[str]] = {}
        for application in spec.applications:
            if application.expected_status == Status.INFO_REQUESTED:
                todo.setdefault(application.applicant, set()).add(_("answer an information request"))
            elif application.expected_status == Status.DRAFT:
                todo.setdefault(application.applicant, set()).add(_("submit a draft"))
            elif application.recipe in OFFERED_RECIPES:
                todo.setdefault(application.applicant, set()).add(_("accept or decline an offered place"))

        rows: list[tuple[str, str]] = []
        for user in spec.users:
            if user.role == ADMIN_ROLE:
                role = _("administrator (superuser)")
            elif user.role == Role.MANAGER:
                role = _("manager: every program, statistics, API")
            elif user.role == Role.OFFICER:
                assigned = sum(1 for p in spec.programs if user.username in (p.lead_officer, *p.officers))
                role = (
                    _("officer, lead on %(count)s calls") % {"count": lead}
                    if user.username == "officer1"
                    else _("officer on %(count)s calls") % {"count": assigned}
                )
            else:
                firm = firm_of[user.username]
                role = _("SME staff, %(ko)s / %(en)s") % {"ko": firm.name_ko, "en": firm.name_en}
                if user.username in todo:
                    role += " — " + _("to do: %(tasks)s") % {"tasks": ", ".join(sorted(todo[user.username]))}
            rows.append((user.username, role))

        width = max(len(username) for username, _role in rows)
        lines = [
            "",
            "=" * 72,
            _("sme-support demo"),
            "  " + _("Site:  %(url)s") % {"url": f"{settings.SITE_URL}/"},
            "  " + _("Admin: %(url)s") % {"url": f"{settings.SITE_URL}{admin_path}"},
            "  " + _("Password for every demo login: %(password)s") % {"password": DEMO_PASSWORD},
            "",
            # Plain English headings over columns of ASCII logins and passwords: a translated
            # heading (Django's own catalogue has "Password") would not line up with them.
            f"  {'Login':<{width}}  {'Password':<{len(DEMO_PASSWORD)}}  Role",
        ]
        lines += [f"  {username:<{width}}  {DEMO_PASSWORD}  {role}" for username, role in rows]
        lines += ["=" * 72, ""]
        self.stdout.write("\n".join(lines))
