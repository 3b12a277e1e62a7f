"""The settings module's two modes and the compose file, checked as a deployer would."""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG]))"
)


def settings_under(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings", FG_VAR_DIR=str(ROOT / "var"))
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_no_environment_means_sqlite_and_in_process_tasks():
    result = settings_under({})
    assert json.loads(result.stdout) == ["django.db.backends.sqlite3", True, True]


def test_database_and_broker_urls_switch_to_the_real_stack():
    result = settings_under(
        {
            "DATABASE_URL": "postgres://u:p@db:5432/fg",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "DJANGO_SECRET_KEY": "s3cret",
        }
    )
    assert json.loads(result.stdout) == ["django.db.backends.postgresql", False, False]


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_under({"DATABASE_URL": "postgres://u:p@db:5432/fg", "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_docker_compose_accepts_the_compose_file():
    if shutil.which("docker-compose"):
        command = ["docker-compose", "config"]
    elif (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "config"]
    else:
        pytest.skip("neither docker compose nor docker-compose is installed (make compose)")
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SECRET_KEY": "x"},
    )
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "db:", "redis:", "healthcheck:", "pgdata:"):
        assert service in result.stdout


def test_the_embedded_default_with_debug_off_keeps_one_secret_key_of_its_own(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.pop("DJANGO_SECRET_KEY", None)
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", FG_VAR_DIR=str(tmp_path))
    clean["DJANGO_DEBUG"] = "0"
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECRET_KEY)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr
    debug, key = runs[0].stdout.split()
    assert debug == "False" and len(key) > 40 and runs[1].stdout == runs[0].stdout
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_the_health_url_checks_the_database_and_answers_any_host(client, settings):
    settings.ALLOWED_HOSTS = ["qa.example.org"]
    response = client.get("/health/", HTTP_HOST="web:8000")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["status"] == "ok"
    assert body["broker"] in ("ok", "in-process")


@pytest.mark.django_db
def test_the_health_url_says_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_production_settings_keep_database_connections_healthy():
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.DATABASES['default']['CONN_HEALTH_CHECKS']))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://u:p@db:5432/fg",
        DJANGO_SECRET_KEY="x",
        FG_VAR_DIR=str(ROOT / "var"),
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert json.loads(result.stdout) is True


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_that_allows_no_inline_script(client, user):
    client.force_login(user)
    policy = client.get("/projects/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy


def test_the_proxy_header_is_trusted_only_when_configured():
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_HSTS_SECONDS]))"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    base.update(DJANGO_SETTINGS_MODULE="config.settings", FG_VAR_DIR=str(ROOT / "var"))

    def read(extra):
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env={**base, **extra},
            capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(result.stdout)

    assert read({}) == [None, 0]
    assert read({"DJANGO_TRUST_PROXY_SSL_HEADER": "1", "DJANGO_SECURE_HSTS_SECONDS": "3600"}) == [
        ["HTTP_X_FORWARDED_PROTO", "https"],
        3600,
    ]


@pytest.mark.django_db
def test_the_admin_lists_the_models_and_keeps_participants_words_read_only(client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "r@example.org", "pw-123456")
    client.force_login(admin_user)
    for path in (
        "/admin/transcripts/project/",
        "/admin/transcripts/transcript/",
        "/admin/coding/coding/",
        "/admin/coding/auditevent/",
        "/admin/jobs/job/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/coding/coding/add/").status_code == 403
    assert client.get("/admin/transcripts/transcript/add/").status_code == 403


def test_the_compose_environment_passes_djangos_deployment_checks():
    compose = (ROOT / "docker-compose.yml").read_text()
    skip = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last: tests'
    env = {k: v for k, v in os.environ.items() if k not in skip}
    for name, default in re.findall(r"(DJANGO_\w+): \$\{\w+:-([^}]*)\}", compose):
        env[name] = default
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://focusgroups:focusgroups@db:5432/focusgroups",
        CELERY_BROKER_URL="redis://redis:6379/0",
        DJANGO_SECRET_KEY="a-long-random-secret-key-for-the-check-0123456789-abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="qa.example.org",
        FG_VAR_DIR=str(ROOT / "var"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_production_image_copies_every_package_it_installs():
    pyproject = (ROOT / "pyproject.toml").read_text()
    packages = re.findall(r'"(\w+)\*"', pyproject.split("[tool.setuptools.packages.find]")[1])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert sorted(packages) == ["coding", "config", "jobs", "themes", "transcripts"]
    assert [p for p in packages if f"COPY {p} ./{p}" not in dockerfile] == []
    assert '"-c", "config/gunicorn.py"' in dockerfile


def test_gunicorns_access_log_keeps_search_terms_out():
    """A search for a participant's words leaves the path, not the words, in the access log."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    for name, value in runpy.run_path(str(ROOT / "config" / "gunicorn.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    logger = Logger(cfg)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.access_log.addHandler(handler)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/p/3/search/?q=Margaret+Hughes+diabetes",
        "PATH_INFO": "/p/3/search/",
        "QUERY_STRING": "q=Margaret+Hughes+diabetes",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_REFERER": "https://qa.example.org/p/3/search/?q=Margaret",
        "HTTP_USER_AGENT": "Firefox",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, [], environ, datetime.timedelta(milliseconds=40))
    assert len(lines) == 1
    assert '"GET /p/3/search/ HTTP/1.1" 200 512' in lines[0]
    assert "Margaret" not in lines[0] and "diabetes" not in lines[0]
