"""The owner's web view in a real browser: Debian's Chromium, headless, driven by Playwright
(never a browser Playwright downloads: `bash .ci/dev check` installs the `chromium` package)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from tests.hub.conftest import Hub
from tests.hub.test_owner_web import (
    NAIROBI,
    PASSWORD,
    add_till,
    earlier_today,
    payment,
    set_password,
    store,
)

S = PaymentStatus
SHOTS = Path("/tmp")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Chromium is not installed: `bash .ci/dev check` installs it")
    # Chromium's sandbox cannot start as root (CI runs as root); elsewhere it stays on.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        yield launched
        launched.close()


@pytest.fixture
def shop(hub: Hub) -> Hub:
    """Three tills with today's payments, and the owner's password set."""
    assert set_password(hub) == 0
    tills = [add_till(hub, "Duka", f"Till {n}") for n in (1, 2, 3)]
    for n, till in enumerate(tills, 1):
        store(
            hub,
            till,
            payment(earlier_today(NAIROBI, 0.3), 100000 * n, code=f"SLA{n}B2C3D4"),
            payment(earlier_today(NAIROBI, 0.5), 2500, S.PENDING, msisdn=f"25471100{n}987"),
            payment(earlier_today(NAIROBI, 0.6), 700, S.FAILED),
        )
    return hub


def log_in(page: Page, hub: Hub, password: str = PASSWORD) -> None:
    page.goto(hub.url + "/")
    expect(page).to_have_url(hub.url + "/login?next=/")
    page.get_by_label("Owner's password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_the_owner_reads_the_day_finds_a_payment_exports_and_logs_out(
    browser: Browser, shop: Hub, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    log_in(page, shop, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "hub-login-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    log_in(page, shop)
    expect(page).to_have_url(shop.url + "/")
    expect(page.locator('[data-figure="takings"]')).to_have_text(Money(600000, "KES").format("en"))
    expect(page.locator("#tills tbody tr")).to_have_count(3)
    expect(page.locator('[data-figure="open"]')).to_have_text("3")
    page.screenshot(path=str(SHOTS / "hub-today-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "hub-today-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Till 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("End-of-day report")
    expect(page.locator('[data-figure="till"]')).to_have_text("Till 2")
    expect(page.locator('[data-figure="takings"]')).to_have_text(Money(200000, "KES").format("en"))
    expect(page.locator("figure.chart svg rect")).not_to_have_count(0)
    page.screenshot(path=str(SHOTS / "hub-day-desktop.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "day.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("shop,till,reference_id,status")
    assert len(lines) == 4  # Till 2's three payments

    page.get_by_role("link", name="Payments", exact=True).click()
    page.get_by_label("Phone (last 4 digits or more), receipt code or reference").fill("3987")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#payments tbody tr")).to_have_count(1)
    expect(page.locator("#payments tbody tr")).to_contain_text("254711003987")
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "hub-payments-phone.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(shop.url + "/login")
    page.goto(shop.url + "/tills")
    expect(page).to_have_url(shop.url + "/login?next=/tills")
    context.close()


def test_a_form_whose_csrf_token_was_removed_is_refused(browser: Browser, shop: Hub) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, shop)
    page.goto(shop.url + "/tills")
    page.get_by_role("link", name="Revoke…").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke a till")
    page.evaluate("document.querySelector('main input[name=csrf]').remove()")
    page.get_by_role("button", name="Revoke this till").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was done")
    assert shop.sql("SELECT count(*) FROM tills WHERE revoked_at IS NOT NULL") == [(0,)]

    page.goto(shop.url + "/tills")
    page.get_by_role("link", name="Revoke…").first.click()
    page.get_by_role("button", name="Revoke this till").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    assert shop.sql("SELECT count(*) FROM tills WHERE revoked_at IS NOT NULL") == [(1,)]
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "hub-tills-phone.png"), full_page=True)
    page.get_by_role("link", name="Owner log").click()
    expect(page.locator("[data-chain]")).to_have_attribute("data-chain", "intact")
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal du propriétaire")
    page.screenshot(path=str(SHOTS / "hub-log-phone-fr.png"), full_page=True)
    context.close()
