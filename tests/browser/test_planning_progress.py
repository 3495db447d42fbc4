"""Planning's progress and Cancel in a real chromium, on the Mekong demo.

The progress text is recorded by a MutationObserver from the click on, so a stage seen
"before the result" is judged by the page's own order of changes, not by polling luck.
Cancel is Dash's ``cancel=``: the job process (a child of this test process, since the
server runs in a thread here) must be gone afterwards, and no result may arrive.
"""

from __future__ import annotations

import re
import time
from typing import Any

import psutil
import pytest
from _browser import LiveServer, login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Records every text the progress line shows, with whether a result was on the page yet.
RECORD = """() => {
    window.__progress = [];
    const text = document.querySelector('#planning-progress-text');
    new MutationObserver(() => window.__progress.push({
        text: text.innerText,
        result: document.querySelectorAll('#planning-summary .card').length > 0,
    })).observe(text, {childList: true, characterData: true, subtree: true});
}"""
STAGE = re.compile(r"^\d+% · Stage [1-5] of 5, ")


def _open_planning(page: Any, live_server: LiveServer) -> None:
    login(page, live_server.url, "planner", "planner-demo")
    page.goto(f"{live_server.url}/planning")
    page.wait_for_selector("#planning-run")
    page.evaluate(RECORD)


def test_progress_shows_a_stage_and_percentage_before_the_result(
    page: Any, live_server: LiveServer
) -> None:
    _open_planning(page, live_server)
    page.click("#planning-method input[value=exact]")
    page.click("#planning-evasion-aware input[value=on]")
    page.click("#planning-run")
    page.wait_for_selector("#planning-summary .card", timeout=180_000)
    seen = page.evaluate("() => window.__progress")
    staged = [s for s in seen if STAGE.match(s["text"])]
    assert staged, seen
    assert not staged[0]["result"]  # shown while the plan was still being made
    percents = [int(s["text"].split("%")[0]) for s in staged]
    assert percents == sorted(percents) and 0 < percents[0] < 100


def test_cancel_stops_the_job_and_says_so(page: Any, live_server: LiveServer) -> None:
    _open_planning(page, live_server)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    page.click("#planning-method input[value=exact]")
    page.click("#planning-evasion-aware input[value=on]")
    page.fill("#planning-tolerance", "2")  # every checked path detours: the most rounds
    page.click("#planning-run")
    page.wait_for_function(
        "() => /Stage [2-4] of 5/.test("
        "document.querySelector('#planning-progress-text').innerText)",
        timeout=120_000,
    )
    jobs = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert jobs, "no job process while the plan runs"
    page.click("#planning-cancel")
    page.wait_for_selector("#planning-status :text('Cancelled')", timeout=30_000)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in jobs):
        time.sleep(0.2)
    assert not any(_alive(p) for p in jobs), "the plan job still runs after Cancel"
    assert page.locator("#planning-run").is_enabled()
    assert page.locator("#planning-cancel").is_disabled()
    time.sleep(2)  # a result that was still coming would land within a poll or two
    assert page.locator("#planning-summary .card").count() == 0
    assert "Cancelled" in page.locator("#planning-status").inner_text()
    assert page.locator("#planning-progress").get_attribute("value") == "0"


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
