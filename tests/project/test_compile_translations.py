from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: ko\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""

CATALOGUE = (
    HEADER
    + """\
msgid "Apply"
msgstr "신청"

#, python-format
msgid "Hello %(name)s"
msgstr "%(name)s님 안녕하세요"

msgctxt "button"
msgid "Open"
msgstr "열기"

#, python-format
msgid "%(count)d application"
msgid_plural "%(count)d applications"
msgstr[0] "신청 %(count)d건"

#, fuzzy
msgid "Withdraw"
msgstr "철회(검토 중)"

msgid "Untranslated"
msgstr ""
"""
)


def _write_po(root: Path, locale: str, text: str, domain: str = "django") -> Path:
    folder = root / locale / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    po = folder / f"{domain}.po"
    po.write_text(text, encoding="utf-8")
    return po


def _load(mo: Path) -> gettext.GNUTranslations:
    with mo.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_compiles_po_to_a_mo_that_gettext_reads(tmp_path, settings, capsys):
    settings.LOCALE_PATHS = [tmp_path]
    po = _write_po(tmp_path, "ko", CATALOGUE)

    call_command("compile_translations")

    catalogue = _load(po.with_suffix(".mo"))
    assert catalogue.gettext("Apply") == "신청"
    assert catalogue.gettext("Hello %(name)s") % {"name": "김"} == "김님 안녕하세요"
    assert catalogue.pgettext("button", "Open") == "열기"
    assert catalogue.ngettext("%(count)d application", "%(count)d applications", 3) % {"count": 3} == "신청 3건"
    assert "Compiled" in capsys.readouterr().out


def test_fuzzy_and_untranslated_entries_fall_back_to_the_source_text(tmp_path, settings):
    # msgfmt leaves fuzzy entries out so a half-checked translation never reaches users.
    settings.LOCALE_PATHS = [tmp_path]
    po = _write_po(tmp_path, "ko", CATALOGUE)

    call_command("compile_translations")

    catalogue = _load(po.with_suffix(".mo"))
    assert catalogue.gettext("Withdraw") == "Withdraw"
    assert catalogue.gettext("Untranslated") == "Untranslated"


def test_nothing_to_compile_says_so_and_succeeds(tmp_path, settings, capsys):
    settings.LOCALE_PATHS = [tmp_path]
    (tmp_path / "ko" / "LC_MESSAGES").mkdir(parents=True)

    call_command("compile_translations")

    assert "nothing to compile" in capsys.readouterr().out


def test_project_locale_without_catalogues_succeeds(capsys):
    # The repository may carry locale/ko/LC_MESSAGES with no django.po yet.
    call_command("compile_translations")

    out = capsys.readouterr().out
    assert "nothing to compile" in out or "Compiled" in out


def test_refuses_a_translation_that_drops_a_named_placeholder(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    po = _write_po(
        tmp_path,
        "ko",
        HEADER + '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "안녕하세요 %(nmae)s"\n',
    )

    with pytest.raises(CommandError, match=r"Hello %\(name\)s"):
        call_command("compile_translations")

    assert not po.with_suffix(".mo").exists()


def test_a_broken_catalogue_names_its_file_and_the_others_still_compile(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    good = _write_po(tmp_path, "en", HEADER + 'msgid "Apply"\nmsgstr "Apply now"\n')
    broken = _write_po(tmp_path, "ko", HEADER + 'msgid "Apply"\nmsgstr "신청\n')

    with pytest.raises(CommandError, match=re.escape(f"{broken}:8: not a valid .po line")):
        call_command("compile_translations")

    assert _load(good.with_suffix(".mo")).gettext("Apply") == "Apply now"
    assert not broken.with_suffix(".mo").exists()


def test_locale_option_compiles_only_that_locale(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    ko = _write_po(tmp_path, "ko", CATALOGUE)
    en = _write_po(tmp_path, "en", HEADER + 'msgid "Apply"\nmsgstr "Apply now"\n')

    call_command("compile_translations", locale=["ko"])

    assert ko.with_suffix(".mo").exists()
    assert not en.with_suffix(".mo").exists()


def test_output_matches_gnu_msgfmt(tmp_path, settings):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU msgfmt is not installed; the comparison needs it (the command itself does not)")
    settings.LOCALE_PATHS = [tmp_path]
    po = _write_po(tmp_path, "ko", CATALOGUE)
    reference = tmp_path / "reference.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(reference), str(po)], check=True, timeout=30)

    call_command("compile_translations")

    ours, theirs = _load(po.with_suffix(".mo")), _load(reference)
    # The header entry ("") may list its fields in another order; everything else is identical.
    assert {k: v for k, v in ours._catalog.items() if k != ""} == {k: v for k, v in theirs._catalog.items() if k != ""}
    assert ours.info() == theirs.info()
    assert ours.plural(5) == theirs.plural(5)


def test_refuses_a_catalogue_polib_would_misread(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    po = _write_po(tmp_path, "ko", HEADER + 'msgid "Apply"\nmsgstr "x"\nmsgstr "y"\n')

    with pytest.raises(CommandError, match=r"cannot be read"):
        call_command("compile_translations")

    assert not po.with_suffix(".mo").exists()
