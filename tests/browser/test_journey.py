"""The user's journey in a real browser, from first start to logout."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveApp, has_horizontal_scroll, screenshot

pytestmark = pytest.mark.slow

PASSWORD = "sofa and popcorn"
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def page(browser: object, live_app: LiveApp) -> object:
    context = browser.new_context(base_url=live_app.url)  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def test_first_run_setup_and_login(page: object, live_app: LiveApp) -> None:
    page.goto("/")
    assert page.url.endswith("/setup")
    screenshot(page, "setup")
    page.get_by_label("Set-up token").fill("wrong-token")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Save and log in").click()
    assert "not the set-up token" in page.content()
    page.get_by_label("Set-up token").fill(live_app.setup_token)
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Save and log in").click()
    page.wait_for_url(f"{live_app.url}/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login*")
    screenshot(page, "login")
    page.get_by_label("Master password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_app.url}/")


def test_login_page_fits_a_phone(browser: object, live_app: LiveApp) -> None:
    context = browser.new_context(base_url=live_app.url, viewport=PHONE)  # type: ignore[attr-defined]
    phone = context.new_page()
    phone.goto("/login")
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "login-phone")
    context.close()
