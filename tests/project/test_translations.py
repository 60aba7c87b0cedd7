"""Korean ships complete: every string the project marks for translation has a Korean
translation in the project's own catalogue, and the catalogue compiles."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
# Same exclusions as the translator's makemessages run: tests, benchmarks and the demo's data
# are not user-facing text (the demo's command and app are: they print to the person running it).
DEMO_DATA = ["demo/catalogue.py", "demo/spec.py", "demo/words.py", "demo/records.py"]
IGNORE = [".venv/*", "tests/*", "bench/*", "var/*", "staticfiles/*", "test-artifacts/*", "locale-pending/*", *DEMO_DATA]


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 500
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"{len(missing)} strings lack a Korean translation, e.g. {missing[:5]}"
    assert not fuzzy, f"fuzzy translations: {fuzzy[:5]}"


def test_the_catalogue_compiles_to_what_gettext_reads() -> None:
    call_command("compile_translations", verbosity=0)
    with (CATALOGUE.with_suffix(".mo")).open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    assert catalogue.gettext("Under review") == "심사 중"
    assert catalogue.gettext("Export funding") == "수출 지원금"


def test_every_string_in_the_source_is_in_the_catalogue(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed for this check; .ci/run installs it.")
        pytest.skip("xgettext is not installed (apt-get install gettext)")
    # makemessages writes into locale/, so run it on a copy of the tracked tree.
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    copy = tmp_path / "tree"
    for name in files:
        src = ROOT / name
        if src.is_file() and not name.startswith(("tests/", "bench/", "locale-pending/")):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / name)
    args = [sys.executable, "manage.py", "makemessages", "-l", "ko", "--no-obsolete"]
    args += [f"--ignore={pattern}" for pattern in IGNORE]
    env = {**os.environ, "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.sqlite3")}
    subprocess.run(args, cwd=copy, env=env, check=True, capture_output=True)
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/ko/LC_MESSAGES/django.po"))}
    ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    missing = sorted(m for _, m in fresh - ours)
    assert not missing, f"{len(missing)} source strings are missing from the Korean catalogue: {missing[:8]}"
