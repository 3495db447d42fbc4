"""Planning in a real chromium: a planner runs a plan (background job with progress) and
downloads the CSV and the PDF briefing; a donor and an analyst get no planning data."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from _browser import LiveServer, login, post_callback, screenshot, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_planner_runs_a_plan_and_downloads_csv_and_pdf(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    login(page, live_server.url, "planner", "planner-demo")
    page.goto(f"{live_server.url}/planning")
    page.wait_for_selector("#planning-run")
    page.click("#planning-run")
    page.wait_for_selector("#planning-summary .card", timeout=180_000)
    wait_for_map(page, "planning-map")
    assert page.locator("#planning-table tbody tr").count() == 8
    assert page.locator("#planning-calendar .calendar tbody tr").count() == 14
    assert "recorded in the audit log" in page.locator("#planning-audit").inner_text()
    screenshot(page, "planning-planner-plan")

    with page.expect_download() as info:
        page.click("#planning-download-csv")
    csv = tmp_path / "plan.csv"
    info.value.save_as(csv)
    lines = csv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,site_id,name") and len(lines) == 1 + 8
    assert all("RESTRICTED — checkpoint plan" in line for line in lines[1:])

    with page.expect_download(timeout=120_000) as info:
        page.click("#planning-download-pdf")
    pdf = tmp_path / "plan.pdf"
    info.value.save_as(pdf)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) >= 3
    assert all("RESTRICTED" in p.extract_text() for p in reader.pages)
    text = reader.pages[0].extract_text()
    assert "Distribution:" in text and "Operation:" in text  # the one-page summary first
    assert any(img for img in reader.pages[1].images)  # the map made by kaleido


@pytest.mark.parametrize("user", ["donor", "analyst"])
def test_lower_roles_get_no_planning_data(page: Any, live_server: LiveServer, user: str) -> None:
    login(page, live_server.url, user, f"{user}-demo")
    page.goto(f"{live_server.url}/planning")
    page.wait_for_selector(".access-denied")
    assert page.locator("#planning-run").count() == 0
    from _analysis_fixtures import dash_body

    status, _ = post_callback(
        page, dash_body(live_server.app, "planning-map", {"planning-run.n_clicks": 1})
    )
    assert status == 403
    screenshot(page, f"planning-{user}-denied")
