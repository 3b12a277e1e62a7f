"""Shared fixtures. With CI=true a test that would be skipped (a missing service, browser or
worker) fails instead: CI must never pass by not running a suite."""

from __future__ import annotations

import os

import pytest

from tests.factories import MembershipFactory, ProjectFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, which counts as a failure: {reason}"


@pytest.fixture(autouse=True)
def _test_storage(settings, tmp_path):
    """Uploads go to a temporary folder; static files are served without collectstatic."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs about 1.6 s a hash on these machines and tests make hundreds; MD5 is fine
    for throwaway test users. Production keeps Django's default hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _words_only_engine(settings):
    """The suggestion engine ranks on words unless a test asks for the embedding model
    (tests/themes/test_embeddings.py), which takes seconds to load in every process."""
    settings.SUGGESTION_EMBEDDING_MODEL = "off"


@pytest.fixture(autouse=True)
def _login_throttle_off(settings):
    """The test client logs in without a request, which django-axes cannot throttle; the
    throttle has tests of its own (tests/transcripts/test_login_throttle.py)."""
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Tables cached per project version (themes/crosscase) start empty in every test: a
    rolled-back test's ids come round again, and tests write codings without the audit log."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test asks for the real worker (tests/stack/)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def project(db, user):
    project = ProjectFactory(created_by=user)
    MembershipFactory(project=project, user=user, role="owner")
    return project


def member(project, role: str):
    user = UserFactory()
    MembershipFactory(project=project, user=user, role=role)
    return user


@pytest.fixture
def coder(project):
    return member(project, "coder")


@pytest.fixture
def viewer(project):
    return member(project, "viewer")


@pytest.fixture
def outsider(db):
    return UserFactory()
