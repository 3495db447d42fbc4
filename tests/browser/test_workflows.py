"""Workflows of each role in a real chromium: the language switch keeps the page and its
query and sets ``<html lang>``; a phone-sized window never scrolls sideways; a skip link
leads to the content; an unknown address gets a styled "page not found"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser import LiveServer, login, screenshot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def phone(browser: Any, guard: Any) -> Iterator[Any]:
    """A 390 × 844 px page (an iPhone 12–15 in portrait), offline like the others."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.route("**/*", lambda r: r.continue_() if guard.check(r.request.url) else r.abort())
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    context.close()


def test_language_switch_keeps_page_and_query(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    page.get_by_label("Sexual", exact=True).uncheck()
    page.wait_for_function("() => window.location.search.includes('exploitation=')")
    before = page.evaluate("() => window.location.pathname + window.location.search")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.locator(".lang-link", has_text="FR").click()
    page.wait_for_selector("text=Vue d'ensemble")
    wait_for_map(page)
    after = page.evaluate("() => window.location.pathname + window.location.search")
    assert after == before
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    assert page.get_by_label("Sexuelle", exact=True).is_checked() is False


@pytest.mark.parametrize(
    ("user", "path", "ready"),
    [
        ("donor", "/", "#overview-map .js-plotly-plot"),
        ("analyst", "/corridors", "#corridors-map .js-plotly-plot"),
        ("planner", "/planning", "#planning-run"),
    ],
)
def test_phone_width_has_no_sideways_scroll(
    phone: Any, live_server: LiveServer, user: str, path: str, ready: str
) -> None:
    login(phone, live_server.url, user, f"{user}-demo")
    phone.goto(f"{live_server.url}{path}")
    phone.wait_for_selector(ready)
    phone.wait_for_timeout(500)  # late layout: legends, tables
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    screenshot(phone, f"phone-{user}-{path.strip('/') or 'overview'}")
    assert width <= 390, f"{path} is {width} px wide at 390 px"


def test_skip_link_and_styled_not_found_page(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "donor", "donor-demo")
    skip = page.locator("a.skip-link")
    assert skip.count() == 1 and skip.get_attribute("href") == "#main"
    page.goto(f"{live_server.url}/no-such-page")
    page.wait_for_selector(".not-found")
    text = page.locator(".not-found").inner_text()
    assert "Page not found" in text and "Overview" in text  # a way back
    screenshot(page, "not-found")


def test_whatif_clear_resets_the_picks_and_a_filter_change_drops_the_result(
    page: Any, live_server: LiveServer
) -> None:
    from _browser import choose_option

    login(page, live_server.url, "analyst", "analyst-demo")
    page.goto(f"{live_server.url}/corridors")
    wait_for_map(page, "corridors-map")
    page.wait_for_selector("#corridors-hotspots table")
    choose_option(
        page, "#corridors-close", "Crossing: Mae Sot–Myawaddy", typed="Mae Sot", exact=False
    )
    page.click("#corridors-whatif-run")
    page.wait_for_selector("#corridors-whatif-result table", timeout=90_000)
    page.click("#corridors-whatif-clear")
    # Clear empties the result and the picks: the next run cannot silently include them.
    page.wait_for_function(
        "() => !document.querySelector('#corridors-whatif-result table')"
        " && !document.querySelector('#corridors-close .Select-value, "
        "#corridors-close .dash-dropdown-value-item')"
        " && !document.querySelector('#corridors-close').innerText.includes('Mae Sot')"
    )
    # A result made for other filters is dropped when the filters change.
    choose_option(
        page, "#corridors-close", "Crossing: Mae Sot–Myawaddy", typed="Mae Sot", exact=False
    )
    page.click("#corridors-whatif-run")
    page.wait_for_selector("#corridors-whatif-result table", timeout=90_000)
    choose_option(page, "#corridors-exploitation", "Begging", typed="Begging")
    page.wait_for_function("() => !document.querySelector('#corridors-whatif-result table')")
    screenshot(page, "corridors-whatif-invalidated")


def test_logit_switch_shows_a_busy_state(page: Any, live_server: LiveServer) -> None:
    from _browser import choose_option

    login(page, live_server.url, "analyst", "analyst-demo")
    page.goto(f"{live_server.url}/corridors")
    page.wait_for_selector("#corridors-hotspots table", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('#corridors-busy.busy-on')")
    # Record every class the busy line takes while the logit model is computed (3-4 s).
    page.evaluate(
        "() => { window.__busy = []; const el = document.querySelector('#corridors-busy');"
        " new MutationObserver(() => window.__busy.push(el.className))"
        ".observe(el, {attributes: true}); }"
    )
    choose_option(page, "#corridors-method", "Logit split", typed="Logit")
    page.wait_for_function("() => window.location.search.includes('method=logit')", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#corridors-busy.busy-on')")
    seen = page.evaluate("() => window.__busy")
    assert "busy busy-on" in seen, seen
