"""What the rules look at, loaded for a whole batch of applications at once.

``load_facts`` runs a constant number of queries whatever the batch size — one per kind of
fact the program's rules need (markets, IP, documents, prior approvals, overdue reports) —
and none for facts no rule uses. The bulk re-check, the post-submit check and the portal's
preview all load facts through it, so all three see the same things.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Min
from django.utils import timezone

from applications.models import Application, ApplicationDocument, OutcomeReport
from applications.workflow import Status
from firms.models import Firm, IPHolding
from programs.choices import EligibilityRuleType as T

if TYPE_CHECKING:
    from applications.eligibility.engine import RuleSet

# Approvals that count as support received; a withdrawn or cancelled approval gave nothing.
APPROVED_STATUSES = (Status.APPROVED, Status.COMPLETED)
# An outcome report in these states has not reached the agency yet.
UNFILED_REPORT_STATUSES = (OutcomeReport.ReportStatus.DRAFT, OutcomeReport.ReportStatus.RETURNED)


@dataclass
class Facts:
    """One application's firm as the rules see it."""

    sector: str
    size_class: str
    export_tier: str
    exports_usd: int
    employees: int
    founded_on: dt.date
    sanctioned_until: dt.date | None
    # None in a preview where the firm has not said how much it wants yet.
    requested_units: int | None
    markets_in_targets: frozenset[str] = field(default_factory=frozenset)
    ip_in_targets: frozenset[str] = field(default_factory=frozenset)
    documents: frozenset[str] = field(default_factory=frozenset)
    prior_approvals: int = 0
    overdue_reports: int = 0
    oldest_overdue_due_on: dt.date | None = None


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the agency's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _facts_of(firm: Firm, requested_units: int | None) -> Facts:
    return Facts(
        sector=firm.sector,
        size_class=firm.size_class,
        export_tier=firm.export_tier,
        exports_usd=firm.exports_last_year_usd,
        employees=firm.employees,
        founded_on=firm.founded_on,
        sanctioned_until=firm.sanctioned_until,
        requested_units=requested_units,
    )


def load_facts(
    *,
    rule_set: RuleSet,
    applications: Sequence[Application],
    today: dt.date,
    requested_units: Sequence[int | None] | None = None,
) -> list[Facts]:
    """Facts for each application, in order. Every application needs its ``firm`` loaded
    (``select_related("firm")``); unsaved ones (a preview) simply have no documents.

    ``requested_units`` overrides the applications' own units (a preview asks "what if").
    """
    units = requested_units if requested_units is not None else [a.requested_units for a in applications]
    facts = [_facts_of(a.firm, u) for a, u in zip(applications, units, strict=True)]
    firm_ids = {a.firm_id for a in applications}
    targets = [iso2 for iso2, _ko, _en in rule_set.targets]

    by_firm: dict[int, list[Facts]] = defaultdict(list)
    for application, fact in zip(applications, facts, strict=True):
        by_firm[application.firm_id].append(fact)

    if rule_set.uses(T.TARGET_COUNTRY_IN_MARKETS) and targets:
        markets: dict[int, set[str]] = defaultdict(set)
        through = Firm.markets_of_interest.through
        for firm_id, country_id in through.objects.filter(firm_id__in=firm_ids, country_id__in=targets).values_list(
            "firm_id", "country_id"
        ):
            markets[firm_id].add(country_id)
        for firm_id, countries in markets.items():
            for fact in by_firm[firm_id]:
                fact.markets_in_targets = frozenset(countries)

    ip_params = rule_set.params_of(T.IP_REGISTERED_IN_TARGET)
    if ip_params is not None and targets:
        holdings = IPHolding.objects.filter(firm_id__in=firm_ids, country_id__in=targets)
        if ip_params.get("kinds"):
            holdings = holdings.filter(kind__in=ip_params["kinds"])
        ip: dict[int, set[str]] = defaultdict(set)
        for firm_id, country_id in holdings.values_list("firm_id", "country_id"):
            ip[firm_id].add(country_id)
        for firm_id, countries in ip.items():
            for fact in by_firm[firm_id]:
                fact.ip_in_targets = frozenset(countries)

    doc_params = rule_set.params_of(T.REQUIRED_DOCUMENTS)
    saved = {a.pk: fact for a, fact in zip(applications, facts, strict=True) if a.pk is not None}
    if doc_params is not None and saved:
        documents: dict[int, set[str]] = defaultdict(set)
        rows = (
            ApplicationDocument.objects.filter(application_id__in=saved, doc_type__in=doc_params["doc_types"])
            .values_list("application_id", "doc_type")
            .distinct()
        )
        for application_id, doc_type in rows:
            documents[application_id].add(doc_type)
        for application_id, doc_types in documents.items():
            saved[application_id].documents = frozenset(doc_types)

    prior_params = rule_set.params_of(T.MAX_PRIOR_APPROVALS)
    if prior_params is not None:
        since = start_of(years_before(today, prior_params["years"]))
        counts = (
            Application.objects.filter(
                firm_id__in=firm_ids,
                status__in=APPROVED_STATUSES,
                program__kind=rule_set.program.kind,
                decided_at__gte=since,
            )
            # Approvals elsewhere: this call's own application is the one being judged.
            .exclude(program_id=rule_set.program.pk)
            .values("firm_id")
            .annotate(n=Count("pk"))
            .values_list("firm_id", "n")
        )
        for firm_id, n in counts:
            for fact in by_firm[firm_id]:
                fact.prior_approvals = n

    if rule_set.uses(T.NO_OVERDUE_OUTCOME_REPORT):
        overdue = (
            OutcomeReport.objects.filter(
                application__firm_id__in=firm_ids, status__in=UNFILED_REPORT_STATUSES, due_on__lt=today
            )
            .values("application__firm_id")
            .annotate(n=Count("pk"), oldest=Min("due_on"))
            .values_list("application__firm_id", "n", "oldest")
        )
        for firm_id, n, oldest in overdue:
            for fact in by_firm[firm_id]:
                fact.overdue_reports, fact.oldest_overdue_due_on = n, oldest

    return facts
