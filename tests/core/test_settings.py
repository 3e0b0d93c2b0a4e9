"""The production defaults are safe: proven by importing the settings in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django.conf as c; from egov.config import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'ALLOWED_HOSTS', 'TIME_ZONE', 'LANGUAGE_CODE']} | "
    "{'db': s.DATABASES['default']['ENGINE'], 'opts': s.DATABASES['default'].get('OPTIONS', {}), "
    "'csp': sorted(s.SECURE_CSP)}))"
)


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "EGOV_PROFILE"}
    }
    clean.update(EGOV_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = load_settings(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_secure(tmp_path):
    result = load_settings(tmp_path, SECRET_KEY="k" * 50)
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["ALLOWED_HOSTS"] == []
    assert values["TIME_ZONE"] == "Asia/Ho_Chi_Minh"
    assert values["LANGUAGE_CODE"] == "vi"
    assert "script-src" in values["csp"]


def test_the_embedded_default_is_sqlite_in_wal_with_immediate_transactions(tmp_path):
    values = json.loads(load_settings(tmp_path, SECRET_KEY="k" * 50).stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["opts"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["opts"]["init_command"]
    assert values["opts"]["timeout"] >= 5


def test_the_demo_profile_generates_its_secret_key_once_into_var(tmp_path):
    load_settings(tmp_path, EGOV_PROFILE="demo")
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    load_settings(tmp_path, EGOV_PROFILE="demo")
    assert key_file.read_text() == first
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_database_url_selects_postgresql(tmp_path):
    values = json.loads(
        load_settings(tmp_path, SECRET_KEY="k" * 50, DATABASE_URL="postgres://u:p@db:5432/egov").stdout
    )
    assert values["db"] == "django.db.backends.postgresql"


def test_manage_py_works_in_an_unconfigured_checkout(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "EGOV_PROFILE", "SECRET_KEY"}
    }
    env["EGOV_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_manage_py_keeps_the_production_profile_when_a_secret_key_is_configured(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "EGOV_PROFILE"}}
    env.update(EGOV_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 50)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.PROFILE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "production", result.stderr
