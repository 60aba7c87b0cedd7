"""A test that changes the default language must not change the URLs of the tests after it.

With prefix_default_language=False the default language's URLs carry no prefix, and Django
caches reversed URLs per language without clearing them when LANGUAGE_CODE changes; the two
tests below run in this order (pytest keeps a file's order)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_with_english_as_the_default_english_urls_have_no_prefix(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    assert reverse("portal:login") == "/portal/login/"


def test_afterwards_english_urls_have_their_prefix_again() -> None:
    # Under the tests' English override, with Korean the default again.
    assert reverse("portal:login") == "/en/portal/login/"
