"""The English catalogue: complete, no fuzzy entries, in step with the Vietnamese msgids in the sources."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "egov"
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

UPDATE = "cd egov && ../.venv/bin/python ../manage.py makemessages -l en --ignore '*/migrations/*'"

type Key = tuple[str | None, str, str | None]  # msgctxt, msgid, msgid_plural

needs_gettext = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")


def read_catalogue(path: Path) -> dict[Key, list[str]]:
    """A .po file as {(msgctxt, msgid, msgid_plural): [msgstr, …]}; header and obsolete ones left out."""
    entries: dict[Key, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            else:
                current, _space, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if fields.get("msgid"):
            key = (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"))
            entries[key] = [value for name, value in sorted(fields.items()) if name.startswith("msgstr")]
    return entries


@needs_gettext
def test_every_message_is_translated_and_none_is_fuzzy():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "--output-file", os.devnull, str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
    entries = read_catalogue(CATALOGUE)
    assert entries
    assert [key for key, strings in entries.items() if not all(strings)] == []


@needs_gettext
def test_the_catalogue_holds_exactly_the_messages_of_the_sources(tmp_path: Path):
    """Run makemessages on a copy of the sources, into a scratch catalogue, and compare the msgids."""
    source = tmp_path / "src" / "egov"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    (tmp_path / "scratch_settings.py").write_text(
        f"from egov.config.test_settings import *  # noqa: F403\nLOCALE_PATHS = [{str(tmp_path / 'out')!r}]\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "scratch_settings",
    }
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--ignore", "*/migrations/*", "-v", "0"],
        cwd=source,
        env=env,
        check=True,
    )
    fresh = set(read_catalogue(tmp_path / "out" / "en" / "LC_MESSAGES" / "django.po"))
    committed = set(read_catalogue(CATALOGUE))
    assert sorted(fresh - committed, key=str) == [], f"new messages: {UPDATE}, then translate them"
    assert sorted(committed - fresh, key=str) == [], f"messages gone from the sources: {UPDATE}"


def test_the_english_catalogue_is_compiled_and_used():
    with translation.override("en"):
        assert gettext("Bỏ qua, đến nội dung chính") == "Skip to main content"
        assert gettext("Đăng nhập") == "Sign in"
        assert pgettext("plural", "cơ quan") == "agencies"
