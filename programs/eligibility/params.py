"""Typed validators for rule parameters.

Each rule type declares its parameters as a tuple of fields; ``clean_fields`` checks a JSON
object against them and returns the normalised parameters, or every problem at once as
messages that name the parameter, so a manager can fix them all in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext as _


class ParamError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ParamField(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def required(self) -> bool: ...

    def clean(self, value: Any) -> Any: ...


def _quoted(name: str) -> str:
    return f"“{name}”"


def _whole_number(name: str, value: Any, minimum: int, maximum: int | None) -> int:
    # JSON has one number type; 3.0 is a whole number, 3.5 and true are not.
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ParamError(_("%(field)s must be a whole number.") % {"field": _quoted(name)})
    value = int(value)
    if value < minimum:
        raise ParamError(_("%(field)s must be at least %(min)s.") % {"field": _quoted(name), "min": minimum})
    if maximum is not None and value > maximum:
        raise ParamError(_("%(field)s must be at most %(max)s.") % {"field": _quoted(name), "max": maximum})
    return value


@dataclass(frozen=True)
class WholeNumber:
    name: str
    required: bool = True
    minimum: int = 0
    maximum: int | None = None

    def clean(self, value: Any) -> int:
        return _whole_number(self.name, value, self.minimum, self.maximum)


@dataclass(frozen=True)
class Codes:
    """A non-empty list of codes from a set of choices; duplicates are dropped, order kept."""

    name: str
    choices: Callable[[], type[models.TextChoices]]
    required: bool = True

    def clean(self, value: Any) -> list[str]:
        allowed = self.choices().values
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise ParamError(
                _("%(field)s must be a list of codes, e.g. [%(example)s].")
                % {"field": _quoted(self.name), "example": ", ".join(f'"{c}"' for c in allowed[:2])}
            )
        if not value:
            raise ParamError(_("%(field)s must list at least one code.") % {"field": _quoted(self.name)})
        unknown = [code for code in value if code not in allowed]
        if unknown:
            raise ParamError(
                _("%(field)s contains unknown codes: %(codes)s. Allowed: %(allowed)s.")
                % {"field": _quoted(self.name), "codes": ", ".join(unknown), "allowed": ", ".join(allowed)}
            )
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class AmountsByCode:
    """An object mapping some codes of a set of choices to whole numbers."""

    name: str
    choices: Callable[[], type[models.TextChoices]]
    required: bool = False
    minimum: int = 1

    def clean(self, value: Any) -> dict[str, int]:
        allowed = self.choices().values
        if not isinstance(value, Mapping):
            raise ParamError(
                _('%(field)s must be an object mapping codes to amounts, e.g. {"%(code)s": 1000}.')
                % {"field": _quoted(self.name), "code": allowed[0]}
            )
        unknown = [code for code in value if code not in allowed]
        if unknown:
            raise ParamError(
                _("%(field)s contains unknown codes: %(codes)s. Allowed: %(allowed)s.")
                % {"field": _quoted(self.name), "codes": ", ".join(map(str, unknown)), "allowed": ", ".join(allowed)}
            )
        return {
            code: _whole_number(f"{self.name}.{code}", amount, self.minimum, None) for code, amount in value.items()
        }


def clean_fields(fields: tuple[ParamField, ...], params: Any) -> tuple[dict[str, Any], list[str]]:
    """Check ``params`` against ``fields``: the cleaned values, and every problem found."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return {}, [_("The parameters must be a JSON object.")]
    errors: list[str] = []
    cleaned: dict[str, Any] = {}
    known = {f.name for f in fields}
    for name in params:
        if name not in known:
            if known:
                errors.append(
                    _("Unknown parameter %(field)s; this rule accepts: %(allowed)s.")
                    % {"field": _quoted(str(name)), "allowed": ", ".join(_quoted(n) for n in sorted(known))}
                )
            else:
                errors.append(_("This rule takes no parameters; remove %(field)s.") % {"field": _quoted(str(name))})
    for field in fields:
        if field.name not in params or params[field.name] is None:
            if field.required:
                errors.append(_("%(field)s is required.") % {"field": _quoted(field.name)})
            continue
        try:
            cleaned[field.name] = field.clean(params[field.name])
        except ParamError as error:
            errors.append(error.message)
    return cleaned, errors


def range_problems(cleaned: dict[str, Any], *, fields_ok: bool) -> list[str]:
    """A min/max range needs at least one end, and its ends in order."""
    if not fields_ok:
        return []
    low, high = cleaned.get("min"), cleaned.get("max")
    if low is None and high is None:
        return [_("Give %(min)s, %(max)s or both.") % {"min": _quoted("min"), "max": _quoted("max")}]
    if low is not None and high is not None and low > high:
        return [
            _("%(min_field)s (%(min)s) cannot be greater than %(max_field)s (%(max)s).")
            % {"min_field": _quoted("min"), "min": low, "max_field": _quoted("max"), "max": high}
        ]
    return []
