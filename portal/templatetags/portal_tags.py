"""Money, units and eligibility reasons, formatted for the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import get_language, ngettext

from notifications.models import Notification
from portal.stash import autosave_saved_keys
from programs.choices import EligibilityRuleType
from programs.models import CapacityUnit, ExpenseCategory, Program

register = template.Library()


def _is_ko() -> bool:
    return (get_language() or "").startswith("ko")


def _number(value: Any) -> str | None:
    try:
        return intcomma(int(value))
    except (TypeError, ValueError):
        return None


@register.filter
def krw(value: Any) -> str:
    """₩1,200,000 in English, 1,200,000원 in Korean."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{number}원" if _is_ko() else f"₩{number}"


@register.filter
def usd(value: Any) -> str:
    number = _number(value)
    if number is None:
        return "—"
    return f"US${number}" if _is_ko() else f"${number}"


def format_units(value: Any, unit: str) -> str:
    if unit == CapacityUnit.KRW:
        return krw(value)
    number = _number(value)
    if number is None:
        return "—"
    count = int(value)
    if unit == CapacityUnit.BOOTH:
        return ngettext("%(count)s booth", "%(count)s booths", count) % {"count": number}
    return ngettext("%(count)s seat", "%(count)s seats", count) % {"count": number}


@register.filter
def units(value: Any, program: Program) -> str:
    """An amount in the program's own unit: KRW, booths or seats."""
    return format_units(value, program.capacity_unit)


@register.filter
def reason(result: dict[str, Any]) -> str:
    """An eligibility result's reason in the reader's language."""
    reasons = result.get("reason") or {}
    if isinstance(reasons, str):
        return reasons
    lang = "ko" if _is_ko() else "en"
    return str(reasons.get(lang) or reasons.get("en") or reasons.get("ko") or "")


@register.simple_tag
def rule_label(rule: str) -> str:
    try:
        return str(EligibilityRuleType(rule).label)
    except ValueError:
        return rule.replace("_", " ")


@register.simple_tag
def unread_notifications(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at=None).count()


@register.filter
def expense_label(code: str) -> str:
    try:
        return str(ExpenseCategory(code).label)
    except ValueError:
        return code


@register.filter
def missing_items(checklist: list[dict[str, Any]]) -> list[str]:
    return [str(item["label"]) for item in checklist or [] if not item.get("present")]


@register.simple_tag(takes_context=True)
def autosave_saved(context: template.Context) -> list[str]:
    request = context.get("request")
    return autosave_saved_keys(request) if request is not None else []
