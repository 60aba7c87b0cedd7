from __future__ import annotations

import functools
import importlib
from typing import Any

import pytest

from sme_support.roles import Role
from tests.factories import FirmFactory, ProgramFactory, assign_officer, firm_user, user_in_group

# Data migrations that load reference data (countries, size thresholds, role groups and
# their permissions). A transactional test flushes every table when it ends, so later
# transactional tests get this data loaded again. Don't use serialized_rollback: mixed with
# plain transactional tests it restores content types that post_migrate already recreated.
REFERENCE_DATA = [
    ("programs.migrations.0002_load_countries", "load"),
    ("firms.migrations.0002_reference_data", "seed"),
    ("firms.migrations.0003_role_permissions", "grant"),
    ("programs.migrations.0004_target_markets", "grant"),
]


@functools.cache
def _migration_state_apps() -> Any:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The historical models the data migrations were written against, as `migrate` uses them.
    return MigrationLoader(connection).project_state().apps


def load_reference_data() -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        for module, function in REFERENCE_DATA:
            getattr(importlib.import_module(module), function)(_migration_state_apps(), editor)


def _url_caches_follow_the_default_language(*, setting: str, **kwargs: Any) -> None:
    # With prefix_default_language=False the default language's URLs have no prefix, and
    # each resolver caches its reversed URLs per language. Django does not clear those when a
    # test changes LANGUAGE_CODE, so an "en" default leaked unprefixed /portal/… URLs into
    # later tests, whose requests then ran in Korean.
    if setting == "LANGUAGE_CODE":
        from django.urls import clear_url_caches

        clear_url_caches()


def pytest_configure(config: pytest.Config) -> None:
    from django.test.signals import setting_changed

    setting_changed.connect(_url_caches_follow_the_default_language)


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Any:
    """Code outside a request runs in English in tests, so assertions on messages don't
    depend on LANGUAGE_CODE; tests about Korean switch with translation.override("ko").
    Requests still pick their language from the URL, cookie and headers as in production."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Full-strength PBKDF2 costs ~0.3 s per factory user; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load_reference_data()


@pytest.fixture
def firm() -> Any:
    return FirmFactory()


@pytest.fixture
def firm_staff(firm: Any) -> Any:
    return firm_user(firm)


@pytest.fixture
def program() -> Any:
    return ProgramFactory()


@pytest.fixture
def officer(program: Any) -> Any:
    user = user_in_group(Role.OFFICER)
    assign_officer(program, user, lead=True)
    return user


@pytest.fixture
def manager() -> Any:
    return user_in_group(Role.MANAGER)
