"""Playwright driving Debian's Chromium against the live server (embedded default)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (make chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    # Let requests the page still has in flight (htmx loads and polls) end before the live
    # server's thread sharing of the test database is undone: a request thread that outlives it
    # fails the test at teardown.
    try:
        page.goto("about:blank")
        page.wait_for_timeout(300)
    except Exception:  # noqa: BLE001 - the page may already be gone
        pass
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/")


def wait_until(page, expression: str, arg=None, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression (or an arrow function taking ``arg``) until it is truthy.
    Playwright's ``wait_for_function`` evaluates its predicate with ``eval``, which the app's
    Content-Security-Policy (no 'unsafe-eval') forbids; ``evaluate`` is not subject to it."""
    import time

    function = expression if expression.lstrip().startswith("(") else f"() => ({expression})"
    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(function, arg) if arg is not None else page.evaluate(function):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression!r}")
        page.wait_for_timeout(50)
