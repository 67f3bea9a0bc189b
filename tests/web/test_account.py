"""The account page in a real browser: a wrong current password is shown in the form (and does not sign the
page out), a password change keeps this page signed in, and deleting the account signs out and the old
password no longer works."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from .conftest import new_watched_page
from .helpers import Api, account_menu

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple"


def test_change_password_and_delete_the_account(browser: Any, service: Any) -> None:
    email = f"account-{int(time.time() * 1000)}@example.com"
    Api.new_user(service.base_url, email, PASSWORD)
    context, watched = new_watched_page(browser, service)
    page = watched.page
    try:
        page.goto("/#/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Photos").wait_for()  # signed in (the page then goes to #/ itself)
        account_menu(page)  # the header's account menu (the signed-in email)
        page.get_by_role("link", name="Account").click()
        page.get_by_role("heading", name="Account", exact=True).wait_for()

        page.get_by_label("Current password").fill("not my password")
        page.get_by_label("New password").fill("a new password 2")
        page.get_by_role("button", name="Change password").click()
        page.locator(".form-error", has_text="wrong").wait_for()
        assert "#/account" in page.url  # still signed in

        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill("a new password 2")
        page.get_by_role("button", name="Change password").click()
        page.locator(".form-done", has_text="Password changed").wait_for()
        page.goto("/#/")
        page.goto("/#/account")
        page.get_by_role("heading", name="Account", exact=True).wait_for()  # this session lives on

        page.locator("input[name=password]").fill("a new password 2")
        page.get_by_label("I understand").check()
        page.get_by_role("button", name="Delete my account").click()
        page.wait_for_url("**/#/login**")
        r = requests.post(service.base_url + "/api/auth/login", json={"email": email, "password": "a new password 2"},
                          timeout=30)
        assert r.status_code == 401
        watched.assert_clean()
    finally:
        context.close()
