"""Email from templates: ``templates/emails/<kind>_subject.txt``, ``<kind>.txt`` and
``<kind>.html``, rendered in one language and sent as plain text with an HTML alternative.

The text template also gives the in-app notification its body: rendered with ``in_app`` set,
the base template leaves out the greeting, the link line and the footer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    summary: str


def _tidy(text: str) -> str:
    # Template tags leave trailing spaces and stacks of blank lines in plain text.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)) + "\n"


def render(*, kind: str, language: str, context: Callable[[], dict[str, Any]]) -> RenderedMail:
    """Render the three templates of ``kind`` with ``language`` active.

    ``context`` is called inside the language override, because titles and labels (a
    program's title, a status label) pick their language when they are read.
    """
    with translation.override(language):
        ctx = context()
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", ctx).split())
        text = _tidy(render_to_string(f"emails/{kind}.txt", {**ctx, "in_app": False}))
        html = render_to_string(f"emails/{kind}.html", {**ctx, "subject": subject})
        summary = _tidy(render_to_string(f"emails/{kind}.txt", {**ctx, "in_app": True}))
    return RenderedMail(subject=subject[:200], text=text, html=html, summary=summary)


def deliver(*, to: str, mail: RenderedMail, headers: dict[str, str] | None = None) -> None:
    """Hand one message to the configured email backend; raises on any failure."""
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(mail.html, "text/html")
    message.send(fail_silently=False)
