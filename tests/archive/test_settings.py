"""Production settings: secrets from the environment, check --deploy clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.settings.base import search_connection

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "archive.settings.production",
    "ARCHIVE_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-0123456789",
    "ARCHIVE_PSEUDONYM_KEY": "another-long-random-secret-for-pseudonyms",
    "ARCHIVE_MASTER_KEY": "cHJvZHVjdGlvbi10ZXN0LW1hc3Rlci1rZXktMzJieXQ=",
    "ARCHIVE_ALLOWED_HOSTS": "archive.example.org",
}


def python(*args, env):
    """Our interpreter in the repository, under `env` and none of this
    process's archive settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args, env):
    return python("manage.py", *args, env=env)


def settings_read(*expressions, env) -> str:
    """The values of `expressions` over the settings (`s`), '|'-separated, as
    a process under `env` reads them: Django's own settings object, loaded
    from DJANGO_SETTINGS_MODULE, without the start-up of the apps (a tenth
    of the time of `manage.py shell`), which never changes them."""
    result = python(
        "-c",
        "from django.conf import settings as s; print("
        + ", ".join(expressions)
        + ", sep='|')",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {**PRODUCTION_ENV, "ARCHIVE_DATA_DIR": str(tmp_path)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "ARCHIVE_SECRET_KEY",
        "ARCHIVE_PSEUDONYM_KEY",
        "ARCHIVE_ALLOWED_HOSTS",
        "ARCHIVE_MASTER_KEY",
    ],
)
@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret(tmp_path, missing):
    env = {**PRODUCTION_ENV, "ARCHIVE_DATA_DIR": str(tmp_path)}
    del env[missing]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.slow
def test_database_comes_from_database_url(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}",
    }
    name = settings_read("s.DATABASES['default']['NAME']", env=env)
    assert name == str(tmp_path / "elsewhere.sqlite3")


def test_search_engine_is_chosen_by_settings():
    whoosh = "search.whoosh.backends.LockingWhooshEngine"
    assert search_connection({})["ENGINE"] == whoosh
    assert search_connection({"ARCHIVE_SEARCH_PATH": "/srv/idx"})["PATH"] == "/srv/idx"
    elastic = search_connection(
        {
            "ARCHIVE_SEARCH_ENGINE": "elasticsearch",
            "ARCHIVE_SEARCH_URL": "http://es:9200/",
        }
    )
    assert elastic["ENGINE"].endswith("ArchiveElasticsearch7Engine")
    assert elastic["URL"] == "http://es:9200/"


def test_export_row_limit_comes_from_the_environment():
    from archive.settings.base import positive_int

    assert positive_int("ARCHIVE_EXPORT_MAX_ROWS", 1000, environ={}) == 1000
    env = {"ARCHIVE_EXPORT_MAX_ROWS": "250"}
    assert positive_int("ARCHIVE_EXPORT_MAX_ROWS", 1000, environ=env) == 250


@pytest.mark.parametrize("value", ["0", "-5", "many", ""])
@pytest.mark.slow
def test_a_bad_export_row_limit_stops_the_start(tmp_path, value):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_EXPORT_MAX_ROWS": value,
    }
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ARCHIVE_EXPORT_MAX_ROWS" in result.stderr


@pytest.mark.slow
def test_a_process_on_test_settings_removes_its_temporary_archive_when_it_ends():
    """Index, media and key store of a test process live in a temporary folder
    of its own; left behind, every run would pile up test archives."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.MEDIA_ROOT.parent)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.name.startswith("archive-test-")
    assert not folder.exists()


@pytest.mark.slow
def test_mail_goes_through_smtp_from_the_environment_in_production(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_EMAIL_HOST": "smtp.example.org",
        "ARCHIVE_EMAIL_PORT": "465",
        "ARCHIVE_EMAIL_USER": "archive",
        "ARCHIVE_EMAIL_PASSWORD": "mail-secret",
        "ARCHIVE_EMAIL_SECURITY": "tls",
        "ARCHIVE_DEFAULT_FROM_EMAIL": "Archive <archive@example.org>",
    }
    mail = settings_read(
        "s.EMAIL_BACKEND", "s.EMAIL_HOST", "s.EMAIL_PORT", "s.EMAIL_HOST_USER",
        "s.EMAIL_HOST_PASSWORD", "s.EMAIL_USE_SSL", "s.EMAIL_USE_TLS",
        "s.DEFAULT_FROM_EMAIL", env=env,
    )  # fmt: skip
    assert mail == (
        "django.core.mail.backends.smtp.EmailBackend|smtp.example.org|465|archive"
        "|mail-secret|True|False|Archive <archive@example.org>"
    )
    dev = settings_read(
        "s.EMAIL_BACKEND",
        env={"DJANGO_SETTINGS_MODULE": "archive.settings.dev",
             "ARCHIVE_DATA_DIR": str(tmp_path / "dev")},
    )  # fmt: skip
    assert dev == ("django.core.mail.backends.console.EmailBackend")
    wrong = manage("check", env={**env, "ARCHIVE_EMAIL_SECURITY": "ssl"})
    assert wrong.returncode != 0
    assert "ARCHIVE_EMAIL_SECURITY" in wrong.stderr
