"""Shared set-up for the eligibility tests: a fixed day, rules through the service, and one
call that judges a firm against one rule."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from applications.eligibility import evaluate
from applications.models import Application, ApplicationDocument
from programs.services import eligibility_rules_replace
from tests.factories import ApplicationFactory, ProgramFactory

SEOUL = ZoneInfo("Asia/Seoul")
# Mid-morning in Seoul, so the local date is unambiguous.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SEOUL)
TODAY = NOW.date()


def add_document(application: Application, doc_type: str) -> ApplicationDocument:
    return ApplicationDocument.objects.create(
        application=application,
        doc_type=doc_type,
        file=f"applications/test/{doc_type}.pdf",
        original_name=f"{doc_type}.pdf",
        content_type="application/pdf",
        size=1024,
    )


def judge(
    rule_type: str,
    params: dict[str, Any],
    *,
    firm: Any,
    program: Any = None,
    units: int = 10_000_000,
    documents: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The stored-shape result of ``rule_type`` for ``firm`` applying to a program that
    configures just that rule."""
    program = program or ProgramFactory()
    eligibility_rules_replace(program=program, rules=[{"rule_type": rule_type, "params": params}])
    application = ApplicationFactory(program=program, firm=firm, requested_units=units)
    for doc_type in documents:
        add_document(application, doc_type)
    outcome = evaluate(Application.objects.select_related("program", "firm").get(pk=application.pk))
    return next(r for r in outcome.results if r["rule"] == rule_type)


def assert_reason(result: dict[str, Any], *, passed: bool, en: str) -> None:
    assert result["passed"] is passed, result
    assert result["reason"]["en"] == en
    # The Korean text comes from the translator pass; until then it must at least exist.
    assert isinstance(result["reason"]["ko"], str)
    assert result["reason"]["ko"]
