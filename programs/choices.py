"""Vocabularies the program models and the eligibility rules' parameters share (kept apart
from ``programs.models`` so that the models can validate a rule's parameters with
``programs.eligibility.specs`` without an import cycle)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """Kinds of document a firm attaches to an application, and a program may require."""

    BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
    FINANCIAL_STATEMENT = "financial_statement", _("Financial statement")
    EXPORT_RECORD = "export_record", _("Export record")
    EXPORT_PLAN = "export_plan", _("Export plan")
    PORTFOLIO = "portfolio", _("Portfolio")
    QUOTATION = "quotation", _("Quotation")
    IP_CERTIFICATE = "ip_certificate", _("IP registration certificate")
    OTHER = "other", _("Other")


class EligibilityRuleType(models.TextChoices):
    """What a rule checks. Each type's parameters are ``programs.eligibility.specs``; what it checks
    on an application is ``applications.eligibility.rules``."""

    SECTOR_IN = "sector_in", _("Sector is one of")
    SIZE_CLASS_IN = "size_class_in", _("Size class is one of")
    EXPORT_TIER_IN = "export_tier_in", _("Export tier is one of")
    EXPORTS_USD_RANGE = "exports_usd_range", _("Last year's exports (USD) within a range")
    MIN_YEARS_SINCE_FOUNDING = "min_years_since_founding", _("Minimum years since founding")
    EMPLOYEES_RANGE = "employees_range", _("Employees within a range")
    REQUIRED_DOCUMENTS = "required_documents", _("Required documents")
    MAX_PRIOR_APPROVALS = "max_prior_approvals", _("Maximum prior approvals in programs of the same kind")
    NO_OVERDUE_OUTCOME_REPORT = "no_overdue_outcome_report", _("No overdue outcome report")
    NOT_SANCTIONED = "not_sanctioned", _("Not under a sanction")
    PER_FIRM_CAP = "per_firm_cap", _("Per-firm cap")
    TARGET_COUNTRY_IN_MARKETS = "target_country_in_markets", _("A target country is among the firm's markets")
    IP_REGISTERED_IN_TARGET = "ip_registered_in_target", _("IP registered in a target country")
