"""Helpers of the browser tests: the live server record, the network guard, logging in
through the real form, waiting for the map, screenshots under ``build/screenshots/``.

A module of its own (not ``conftest``) so that test files import it by a unique name.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.offline import CHROMIUM_OFFLINE_ARGS, is_local_url

CHROMIUM_ARGS = list(CHROMIUM_OFFLINE_ARGS)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@dataclass
class LiveServer:
    """The dashboard served in a thread: its base URL and its Dash app."""

    url: str
    app: Any


@dataclass
class NetworkGuard:
    """Every request the browser made, and those that left localhost."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def check(self, url: str) -> bool:
        """Record ``url``; return True when it is local (or an in-page data/blob URL)."""
        self.requests.append(url)
        if is_local_url(url):
            return True
        self.outside.append(url)
        return False


def login(page: Any, base_url: str, username: str, password: str) -> float:
    """Log in through the dashboard's login form with the keyboard only; wait for the map.

    Returns the seconds from pressing Enter to the overview map drawn. The form is ready
    (Dash and plotly.js loaded, as they are by the time a person has typed) before typing.
    """
    page.goto(f"{base_url}/")
    page.wait_for_selector("#username")
    page.wait_for_function("() => typeof window.Plotly !== 'undefined'")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    start = time.perf_counter()
    page.keyboard.press("Enter")
    wait_for_map(page)
    return time.perf_counter() - start


def wait_for_map(page: Any, graph_id: str = "overview-map") -> None:
    """Wait until the plotly map of ``graph_id`` has a MapLibre canvas and drawn data."""
    page.wait_for_selector(f"#{graph_id} .maplibregl-canvas")
    page.wait_for_function(
        """(id) => {
            const gd = document.querySelector('#' + id + ' .js-plotly-plot');
            return gd && gd.data && gd.data.length > 0 && gd._fullLayout
                && gd._fullLayout.map && gd._fullLayout.map._subplot
                && gd._fullLayout.map._subplot.map.loaded();
        }""",
        arg=graph_id,
    )


def wait_for_map_idle(page: Any, graph_id: str = "overview-map") -> None:
    """Wait until the map of ``graph_id`` has drawn its latest data (MapLibre ``idle``)."""
    page.wait_for_load_state("networkidle")
    page.evaluate(
        """(id) => new Promise((done) => {
            const gd = document.querySelector('#' + id + ' .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            map.once('idle', () => done(true));
            map.triggerRepaint();
            setTimeout(() => done(false), 10000);
        })""",
        graph_id,
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under build/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def choose_option(
    page: Any, selector: str, option: str, *, typed: str, exact: bool = True, attempts: int = 3
) -> None:
    """Open the dropdown at ``selector``, type ``typed`` and click the option ``option``.

    The option is clicked, not picked with Enter, which would take whatever is first if
    typing raced the menu. On a loaded machine a callback can re-render the page while the
    menu opens and close it again; the menu is then reopened (up to ``attempts`` times).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target = page.get_by_role("option", name=option, exact=exact).first
    for _ in range(attempts):
        page.click(selector)
        page.keyboard.type(typed)
        try:
            target.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        target.click()
        page.keyboard.press("Escape")
        return
    shot = screenshot(page, f"dropdown-failed-{selector.strip('#')}")
    raise AssertionError(f"option {option!r} never showed in {selector} (screenshot: {shot})")


def post_callback(page: Any, body: dict[str, Any]) -> tuple[int, str]:
    """POST a callback body to ``/_dash-update-component`` from inside the page.

    The request carries the page's session cookie, as a hand-crafted request from a
    logged-in user would; returns the status and the response text.
    """
    status, text = page.evaluate(
        """async (body) => {
            const r = await fetch('/_dash-update-component', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
            return [r.status, await r.text()];
        }""",
        body,
    )
    return int(status), str(text)
