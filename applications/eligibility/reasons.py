"""Reasons a firm can act on, rendered in both languages from one description.

A rule returns a ``Reason``: a lazily translated message and its arguments. Arguments may
themselves be language-dependent (choice labels, country names, a nested phrase); they are
rendered in the same language as the message. ``ReasonRenderer`` renders each distinct
reason once per language and reuses the text, so a bulk re-check of thousands of
applications does not re-translate the same sentence thousands of times.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise

LANGUAGES = ("ko", "en")


def number(value: int) -> str:
    """Digits grouped by thousands, the way both languages write amounts."""
    return f"{value:,}"


@dataclass(frozen=True)
class Labels:
    """Choice codes, rendered as their labels in the active language."""

    choices: type[models.TextChoices]
    codes: tuple[str, ...]

    def render(self) -> str:
        return ", ".join(self._label(code) for code in self.codes)

    def _label(self, code: str) -> str:
        try:
            return str(self.choices(code).label)
        except ValueError:  # a code since retired from the choices still reads as itself
            return code


@dataclass(frozen=True)
class Names:
    """Proper names known in both languages (countries): ``(korean, english)`` pairs."""

    pairs: tuple[tuple[str, str], ...]

    def render(self) -> str:
        korean = (translation.get_language() or "").startswith("ko")
        return ", ".join(ko if korean else en for ko, en in self.pairs)


class Reason:
    """A message and its arguments; rendered on demand in whatever language is active."""

    __slots__ = ("args", "key", "text")

    def __init__(self, text: Promise, **args: Any) -> None:
        self.text = text
        self.args = tuple(args.items())
        # The messages are module-level lazy constants, so their identity names them without
        # evaluating them in some language. Each message is built in one place with its
        # arguments in one order, so the arguments need no sorting.
        self.key: Hashable = (id(text), *(v.key if type(v) is Reason else v for v in args.values()))

    def render(self) -> str:
        if not self.args:
            return str(self.text)
        values = {k: v.render() if isinstance(v, Reason | Labels | Names) else v for k, v in self.args}
        return str(self.text % values)


class ReasonRenderer:
    """Renders reasons in every language, once per distinct reason."""

    def __init__(self) -> None:
        self._cache: dict[Hashable, tuple[tuple[str, str], ...]] = {}

    def both(self, reason: Reason) -> dict[str, str]:
        texts = self._cache.get(reason.key)
        if texts is None:
            rendered = []
            for language in LANGUAGES:
                with translation.override(language):
                    rendered.append((language, reason.render()))
            texts = self._cache[reason.key] = tuple(rendered)
        return dict(texts)


def labels(choices: type[models.TextChoices], codes: Iterable[str]) -> Labels:
    return Labels(choices, tuple(codes))
