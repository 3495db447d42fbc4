"""Running the Planning page's background job as the browser does, for the app tests."""

from __future__ import annotations

import time
from typing import Any

from _analysis_fixtures import dash_body


def run_in_background(app: Any, client: Any, form: dict[str, Any]) -> dict[str, Any]:
    """Post the plan callback (no UI), let Dash start its job, poll until the result.

    ``form`` holds the callback's inputs and states by ``"id.property"``; the answer is
    the callback's response (outputs by component id).
    """
    body = dash_body(app, "planning-map", form)
    started = client.post("/_dash-update-component", json=body)
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    handles = started.get_json()
    assert "cacheKey" in handles, handles
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        poll = client.post(
            "/_dash-update-component",
            query_string={"cacheKey": handles["cacheKey"], "job": handles["job"]},
            json=body,
        )
        if poll.status_code == 200 and "response" in (poll.get_json() or {}):
            result: dict[str, Any] = poll.get_json()["response"]
            return result
        time.sleep(0.2)
    raise AssertionError("the plan job gave no result within 120 s")
