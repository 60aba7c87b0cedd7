"""Application and outcome statistics, computed by the database in ONE aggregate query.

The caller hands in the applications the user may see, already filtered (the same selector
and filters as the applications list), and the dimensions to group by. This module turns
that into a single ``values(...).annotate(...)`` query — never a loop over rows — and
formats the (few) grouped rows it returns.

What the metrics mean:

- ``applications``: rows in the group; ``firms``: distinct firms among them.
- ``decided``: applications that received a decision at some point (``decided_at`` is set
  when one first becomes approved, waitlisted or rejected, and kept afterwards, so a
  decision later withdrawn or cancelled still counts); ``approved``: those now approved or
  completed; ``approval_rate`` = approved / decided (null when nothing was decided).
- ``median_days_to_decision``: median of decided_at − submitted_at in days, rounded to one
  decimal (half up: 0.05 → 0.1) and written as a plain number (``0.0``, never ``1.33e-06``),
  in JSON and CSV alike. PostgreSQL computes it with ``percentile_cont(0.5)``; SQLite (the
  embedded laptop default) has no ordered-set aggregate, so there the same median (the middle
  value, or the mean of the two middle ones) comes from an aggregate function registered on
  every SQLite connection, as Django registers its own STDDEV and VARIANCE there. Same data,
  same figure, on either database.
- ``waitlisted``: applications on the waitlist now.
- Capacity is counted in each program's own unit — KRW of budget for export funding, booths
  for trade shows, seats for business delegations — and figures in different units are never
  added together: every allocated or capacity figure comes in three columns, one per unit,
  the unit named in the field.
- ``allocated_krw``, ``allocated_booths``, ``allocated_seats``: units of live allocations
  (approved and completed, not released) in the export-funding, trade-show and delegation
  programs of the group.
- ``capacity_krw``, ``capacity_booths``, ``capacity_seats``: the summed capacity of the
  programs of that unit in the group that have at least one matching application (0 when the
  group has no program of that unit). Capacity belongs to a program, so it is only
  meaningful when the grouping is by program-level dimensions alone (program, kind,
  fiscal_year, or none); with any other dimension all three are null.
- Outcome totals count reports that were submitted or accepted (a draft or a report
  returned for changes is not a result yet): ``outcome_reports``, ``buyer_meetings``,
  ``consultation_usd``, ``contracts_usd``, and ``support_krw``, the KRW of support behind
  those reports — the allocation itself for export funding, booths × subsidy per booth for
  trade shows; a delegation's seats carry no KRW figure and count 0. ``contracts_usd_per_krw``
  = contracts_usd / support_krw.
- The outcome statistics add, over the same reports: ``first_time_exporters``, distinct
  firms among them that exported nothing the year before (``exports_last_year_usd`` = 0);
  ``new_countries``, the new countries each report names, summed over reports (a firm that
  names France in two reports counts twice; counted per report in a subquery so that the
  countries never multiply the other sums); and ``followup_contracts_usd``, the contracts of
  each report's latest ACCEPTED follow-up (12 months before 6), summed. Follow-up contracts
  are a separate metric, not added to ``contracts_usd``: a follow-up reports contracts
  signed by then, which may include those in the report itself.
- IP filing statistics count ``firms.IPHolding`` rows (IP a firm registered abroad):
  ``filings``, the holdings in the group, and ``firms``, distinct firms holding them;
  ``country`` there is the country of registration, not a program's target country.
- Grouping by ``country`` (a program's target countries) counts an application once in each
  target country of its program; totals across countries can then exceed the overall total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf, TruncMonth
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from applications.models import Application, OutcomeFollowUp, OutcomeReport
from applications.workflow import Status
from firms.models import ExportTier, IPHolding, Region, Sector, SizeClass
from programs.models import CAPACITY_UNIT_BY_KIND, CapacityUnit, Program, ProgramKind

COUNTED_REPORT_STATUSES = (OutcomeReport.ReportStatus.SUBMITTED, OutcomeReport.ReportStatus.ACCEPTED)


class UnknownDimension(ValueError):
    def __init__(self, unknown: Sequence[str], allowed: Sequence[str]) -> None:
        self.unknown, self.allowed = list(unknown), list(allowed)
        super().__init__(
            _("Cannot group by %(unknown)s; choose any of: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )


# --- Database functions -------------------------------------------------------------------


SQLITE_MEDIAN = "SME_MEDIAN"


class Median(models.Aggregate):
    """The median of a numeric expression: PostgreSQL ``percentile_cont(0.5)``; on SQLite,
    which has no ordered-set aggregates, the ``SME_MEDIAN`` aggregate registered by
    ``register_sqlite_functions`` (see the module docstring)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_MEDIAN, template="%(function)s(%(expressions)s)")


class _SQLiteMedian:
    """``percentile_cont(0.5)`` for SQLite: the middle value, or the mean of the two middle
    ones. SQLite feeds it the group's values and asks for the result; Django fills SQLite's
    missing STDDEV_POP and VAR_POP the same way (``django.db.backends.sqlite3._functions``)."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        low, high = ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]
        # PostgreSQL's own interpolation (float8_lerp), to the last bit.
        return low + 0.5 * (high - low)


def register_sqlite_functions(*, sender: Any = None, connection: Any, **kwargs: Any) -> None:
    """A ``connection_created`` receiver (connected in ``ApplicationsConfig.ready``): gives
    every new SQLite connection the functions these statistics need."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SQLiteMedian)


class DaysBetween(Func):
    """``end - start`` in days, as a float."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision) / 86400.0",
            arg_joiner=" - ",
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(")


class _PerGroupSubquery(Subquery):
    """A scalar subquery correlated only with columns the outer query already groups by.

    Django would add it to GROUP BY as well, which makes PostgreSQL evaluate it once per
    application row; left out, it runs once per group."""

    def get_group_by_cols(self) -> list[Any]:
        return []


# --- Dimensions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A way to group: ``column`` is what the database groups by; ``extra`` are columns that
    depend on it (a program's code and titles) fetched in the same GROUP BY for labels.
    ``program_field`` names the same value on Program, for capacity (None: not program-level)."""

    name: str
    column: str | models.Expression
    choices: type[models.TextChoices] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    program_field: str | None = None
    present: Callable[[Dimension, Mapping[str, Any]], dict[str, Any]] | None = None

    @property
    def alias(self) -> str:
        return f"g_{self.name}"

    def output(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        if self.present is not None:
            return self.present(self, raw)
        value = raw[self.alias]
        if self.choices is None:
            return {self.name: value}
        label = str(self.choices(value).label) if value in self.choices.values else value
        return {self.name: value, f"{self.name}_label": label}

    def output_names(self) -> list[str]:
        if self.name == "program":
            return ["program", "program_code", "program_title"]
        if self.name == "country":
            return ["country", "country_name"]
        return [self.name, f"{self.name}_label"] if self.choices else [self.name]


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


def _present_program(dim: Dimension, raw: Mapping[str, Any]) -> dict[str, Any]:
    title = raw[f"{dim.alias}__title_ko"] if _korean() else raw[f"{dim.alias}__title_en"]
    return {"program": raw[dim.alias], "program_code": raw[f"{dim.alias}__code"], "program_title": title}


def _present_country(dim: Dimension, raw: Mapping[str, Any]) -> dict[str, Any]:
    name = raw[f"{dim.alias}__name_ko"] if _korean() else raw[f"{dim.alias}__name_en"]
    return {"country": raw[dim.alias], "country_name": name}


def _present_month(dim: Dimension, raw: Mapping[str, Any]) -> dict[str, Any]:
    value = raw[dim.alias]
    return {"month": value.strftime("%Y-%m") if value else None}


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension(
            "program",
            "program_id",
            extra={"code": "program__code", "title_ko": "program__title_ko", "title_en": "program__title_en"},
            program_field="pk",
            present=_present_program,
        ),
        Dimension("kind", "program__kind", ProgramKind, program_field="kind"),
        Dimension("fiscal_year", "program__fiscal_year", program_field="fiscal_year"),
        # Months of submission in the agency's time zone (the active one, Asia/Seoul).
        Dimension("month", TruncMonth("submitted_at", output_field=DateField()), present=_present_month),
        Dimension("status", "status", Status),
        Dimension("sector", "firm__sector", Sector),
        Dimension("size_class", "firm__size_class", SizeClass),
        Dimension("export_tier", "firm__export_tier", ExportTier),
        Dimension("region", "firm__region", Region),
        Dimension(
            "country",
            "program__target_countries",
            extra={"name_en": "program__target_countries__name_en", "name_ko": "program__target_countries__name_ko"},
            present=_present_country,
        ),
    ]
}
APPLICATION_GROUP_BY: tuple[str, ...] = tuple(DIMENSIONS)
OUTCOME_GROUP_BY: tuple[str, ...] = ("country", "program", "sector", "size_class", "fiscal_year")


def parse_group_by(values: Sequence[str], *, allowed: Sequence[str]) -> list[str]:
    """Comma-separated or repeated names, de-duplicated in order; unknown ones are refused."""
    names: list[str] = []
    for value in values:
        for name in (part.strip() for part in value.split(",")):
            if name and name not in names:
                names.append(name)
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise UnknownDimension(unknown, allowed)
    return names


# --- Metrics ------------------------------------------------------------------------------

_LIVE_ALLOCATION = Q(allocation__released_at__isnull=True)
_COUNTED_REPORT = Q(outcome_report__status__in=COUNTED_REPORT_STATUSES)
# KRW of support behind an allocation: see the module docstring.
_SUPPORT_KRW = Case(
    When(program__kind=ProgramKind.EXPORT_FUNDING, then=F("allocation__units")),
    When(program__kind=ProgramKind.TRADE_SHOW, then=F("allocation__units") * F("program__subsidy_per_booth_krw")),
    default=Value(0),
    output_field=BigIntegerField(),
)


def _sum(expression: Any, *, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition), 0, output_field=BigIntegerField())


def _ratio(numerator: str, denominator: str) -> Any:
    return Cast(F(numerator), FloatField()) / NullIf(F(denominator), 0)


# Each capacity unit's name in the metrics (``allocated_krw``, ``capacity_booths``…) and the
# program kinds counted in it.
UNIT_SUFFIXES: dict[str, str] = {CapacityUnit.KRW: "krw", CapacityUnit.BOOTH: "booths", CapacityUnit.SEAT: "seats"}
_KINDS_BY_UNIT: dict[str, list[str]] = {
    unit: [kind for kind, kind_unit in CAPACITY_UNIT_BY_KIND.items() if kind_unit == unit] for unit in UNIT_SUFFIXES
}
ALLOCATED_METRICS = tuple(f"allocated_{suffix}" for suffix in UNIT_SUFFIXES.values())
CAPACITY_METRICS = tuple(f"capacity_{suffix}" for suffix in UNIT_SUFFIXES.values())


def _days(value: float) -> float:
    """Days to one decimal, half up, as a float whose repr has no exponent (never -0.0).

    Below a millisecond (1e-8 day) the figure is noise — floating-point arithmetic, and SQLite
    keeps times to the millisecond — so that is cut first: 0.25 days is 0.3 on PostgreSQL and
    on SQLite alike, even when one of them computed 0.24999999999999997."""
    exact_enough = Decimal(repr(value)).quantize(Decimal("1e-8"))
    return float(exact_enough.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) + 0.0


APPLICATION_METRICS = (
    "applications",
    "firms",
    "decided",
    "approved",
    "approval_rate",
    "median_days_to_decision",
    "waitlisted",
    *ALLOCATED_METRICS,
    *CAPACITY_METRICS,
    "outcome_reports",
    "buyer_meetings",
    "consultation_usd",
    "contracts_usd",
    "support_krw",
    "contracts_usd_per_krw",
)
OUTCOME_METRICS = (
    "reports",
    "firms",
    "buyer_meetings",
    "consultation_usd",
    "contracts_usd",
    "ip_filed",
    "support_krw",
    "contracts_usd_per_krw",
    "first_time_exporters",
    "new_countries",
    "followup_contracts_usd",
)
_FLOAT_METRICS = frozenset({"approval_rate", "median_days_to_decision", "contracts_usd_per_krw"})


def _new_countries_per_report() -> Subquery:
    # One number per report, computed beside the row instead of joined: a join to the
    # report's countries would repeat the application row and multiply every other sum.
    through = OutcomeReport.new_countries.through.objects.filter(outcomereport_id=OuterRef("outcome_report__id"))
    # A plain COUNT function, not an Aggregate: Django would otherwise add a GROUP BY (as in _capacity).
    counted = through.order_by().values(n=Func(F("pk"), function="COUNT"))
    return Subquery(counted, output_field=BigIntegerField())


def _latest_accepted_followup_contracts() -> Subquery:
    latest = OutcomeFollowUp.objects.filter(
        report_id=OuterRef("outcome_report__id"), status=OutcomeFollowUp.FollowUpStatus.ACCEPTED
    ).order_by("-months")
    return Subquery(latest.values("contracts_usd")[:1], output_field=BigIntegerField())


def _capacities(applications: QuerySet[Application], dims: Sequence[Dimension]) -> dict[str, Any]:
    """``capacity_<unit>`` for each unit: the capacity of the group's programs of that unit."""
    if any(d.program_field is None for d in dims):
        return {metric: Value(None, output_field=BigIntegerField()) for metric in CAPACITY_METRICS}
    capacities: dict[str, Any] = {}
    for unit, suffix in UNIT_SUFFIXES.items():
        kinds = _KINDS_BY_UNIT[unit]
        if any(d.name == "program" for d in dims):
            # One program per group: its capacity if it counts in this unit, else 0.
            capacities[f"capacity_{suffix}"] = Coalesce(
                Max("program__capacity", filter=Q(program__kind__in=kinds)), 0, output_field=BigIntegerField()
            )
            continue
        # Sum over the distinct programs of the group, in a correlated subquery: summing
        # program__capacity over application rows would count a program once per application.
        programs = Program.objects.using(applications.db).filter(
            kind__in=kinds, pk__in=applications.order_by().values("program_id")
        )
        for d in dims:
            # Program-level dimensions group by plain columns of the program.
            assert d.program_field is not None and isinstance(d.column, str)
            programs = programs.filter(**{d.program_field: OuterRef(d.column)})
        # COALESCE inside the subquery: around it, Django would add the subquery to GROUP BY.
        total = Coalesce(Func(F("capacity"), function="SUM"), 0, output_field=BigIntegerField())
        capacities[f"capacity_{suffix}"] = _PerGroupSubquery(
            programs.order_by().annotate(total=total).values("total"), output_field=BigIntegerField()
        )
    return capacities


# --- Running them -------------------------------------------------------------------------


@dataclass
class Statistics:
    """A lazy grouped query and how to present its rows; iterate to run it (once)."""

    group_by: list[str]
    queryset: QuerySet[Any]
    dims: list[Dimension]
    metrics: Sequence[str]

    @property
    def columns(self) -> list[str]:
        return [name for d in self.dims for name in d.output_names()] + list(self.metrics)

    def _row(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for d in self.dims:
            row.update(d.output(raw))
        for metric in self.metrics:
            value = raw.get(metric)
            if value is None:
                row[metric] = None
            elif metric == "median_days_to_decision":
                row[metric] = _days(float(value))
            elif metric in _FLOAT_METRICS:
                row[metric] = float(value)
            else:
                row[metric] = int(value) if isinstance(value, int | Decimal | float) else value
        return row

    def rows(self) -> Iterator[dict[str, Any]]:
        # Not .iterator(): on PostgreSQL that declares a server-side cursor, which is planned
        # for a fast first row (nested loops, no parallel workers) — 4× slower on a million
        # applications (bench/RESULTS.md). An aggregate returns few rows; fetch them at once.
        for raw in self.queryset:
            yield self._row(raw)

    def table(self) -> Iterator[list[Any]]:
        """The same rows as lists of cells in ``columns`` order, for CSV."""
        columns = self.columns
        for row in self.rows():
            yield [row.get(column) for column in columns]


def _grouped(applications: QuerySet[Any], dims: Sequence[Dimension]) -> QuerySet[Any]:
    columns: dict[str, Any] = {}
    for d in dims:
        columns[d.alias] = F(d.column) if isinstance(d.column, str) else d.column
        for suffix, lookup in d.extra.items():
            columns[f"{d.alias}__{suffix}"] = F(lookup)
    if not columns:
        # No dimension: one row of totals. A constant groups nothing, so the query has no
        # GROUP BY and aggregates over every row.
        columns["g_all"] = Value(1)
    return applications.order_by().values(**columns)


def _ordered(qs: QuerySet[Any], dims: Sequence[Dimension]) -> QuerySet[Any]:
    return qs.order_by(*[F(d.alias).asc(nulls_last=True) for d in dims])


def application_statistics(*, applications: QuerySet[Application], group_by: Sequence[str]) -> Statistics:
    dims = [DIMENSIONS[name] for name in group_by]
    aggregates: dict[str, Any] = {
        "applications": Count("pk"),
        "firms": Count("firm_id", distinct=True),
        "decided": Count("pk", filter=Q(decided_at__isnull=False)),
        "approved": Count("pk", filter=Q(status__in=[Status.APPROVED, Status.COMPLETED])),
        "median_days_to_decision": Median(DaysBetween("decided_at", "submitted_at")),
        "waitlisted": Count("pk", filter=Q(status=Status.WAITLISTED)),
        **{
            f"allocated_{suffix}": _sum(
                "allocation__units", condition=_LIVE_ALLOCATION & Q(program__kind__in=_KINDS_BY_UNIT[unit])
            )
            for unit, suffix in UNIT_SUFFIXES.items()
        },
        "outcome_reports": Count("outcome_report", filter=_COUNTED_REPORT),
        "buyer_meetings": _sum("outcome_report__buyer_meetings", condition=_COUNTED_REPORT),
        "consultation_usd": _sum("outcome_report__consultation_usd", condition=_COUNTED_REPORT),
        "contracts_usd": _sum("outcome_report__contracts_usd", condition=_COUNTED_REPORT),
        "support_krw": _sum(_SUPPORT_KRW, condition=_COUNTED_REPORT & _LIVE_ALLOCATION),
    }
    qs = _grouped(applications, dims).annotate(**aggregates)
    qs = qs.annotate(
        approval_rate=_ratio("approved", "decided"),
        contracts_usd_per_krw=_ratio("contracts_usd", "support_krw"),
        **_capacities(applications, dims),
    )
    return Statistics(list(group_by), _ordered(qs, dims), dims, APPLICATION_METRICS)


def outcome_statistics(
    *, applications: QuerySet[Application], group_by: Sequence[str], report_statuses: Sequence[str] | None = None
) -> Statistics:
    """Outcome totals of the applications' reports; by default submitted and accepted ones
    (pass ``report_statuses=[]`` when the caller filtered the statuses itself)."""
    dims = [DIMENSIONS[name] for name in group_by]
    statuses = COUNTED_REPORT_STATUSES if report_statuses is None else report_statuses
    if statuses:
        applications = applications.filter(outcome_report__status__in=statuses)
    else:
        applications = applications.filter(outcome_report__isnull=False)
    aggregates: dict[str, Any] = {
        "reports": Count("outcome_report"),
        "firms": Count("firm_id", distinct=True),
        "buyer_meetings": _sum("outcome_report__buyer_meetings"),
        "consultation_usd": _sum("outcome_report__consultation_usd"),
        "contracts_usd": _sum("outcome_report__contracts_usd"),
        "ip_filed": _sum("outcome_report__ip_filed"),
        "support_krw": _sum(_SUPPORT_KRW, condition=_LIVE_ALLOCATION),
        "first_time_exporters": Count("firm_id", distinct=True, filter=Q(firm__exports_last_year_usd=0)),
        "new_countries": _sum(_new_countries_per_report()),
        "followup_contracts_usd": _sum(_latest_accepted_followup_contracts()),
    }
    qs = _grouped(applications, dims).annotate(**aggregates)
    qs = qs.annotate(contracts_usd_per_krw=_ratio("contracts_usd", "support_krw"))
    return Statistics(list(group_by), _ordered(qs, dims), dims, OUTCOME_METRICS)


# --- IP filings abroad --------------------------------------------------------------------

IP_FILING_DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in [
        Dimension(
            "country",
            "country_id",
            extra={"name_en": "country__name_en", "name_ko": "country__name_ko"},
            present=_present_country,
        ),
        Dimension("kind", "kind", IPHolding.Kind),
        Dimension("sector", "firm__sector", Sector),
        Dimension("size_class", "firm__size_class", SizeClass),
        Dimension("region", "firm__region", Region),
    ]
}
IP_FILING_GROUP_BY: tuple[str, ...] = tuple(IP_FILING_DIMENSIONS)
IP_FILING_METRICS = ("filings", "firms")


def ip_filing_statistics(*, holdings: QuerySet[IPHolding], group_by: Sequence[str]) -> Statistics:
    """Counts of the (already scoped) IP holdings by ``group_by``, in one aggregate query."""
    dims = [IP_FILING_DIMENSIONS[name] for name in group_by]
    qs = _grouped(holdings, dims).annotate(filings=Count("pk"), firms=Count("firm_id", distinct=True))
    return Statistics(list(group_by), _ordered(qs, dims), dims, IP_FILING_METRICS)
