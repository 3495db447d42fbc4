"""Unrouted flows in the CLI's JSON: per flow only for the data owner, else by reason."""

from __future__ import annotations

import pandas as pd

from geotraf.command_support import unrouted_rows


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "flow_id": ["f1", "f2", "f3"],
            "origin": ["Pathein", "Pathein", "Myawaddy"],
            "destination": ["Si Racha", "Bangkok", "Bangkok"],
            "reason": ["no_path", "no_path", "unknown_place"],
            "count": [4.0, 9.0, 30.0],
        }
    )


def test_shared_output_groups_by_reason_and_hides_small_groups() -> None:
    rows = unrouted_rows(_frame(), raw=False)
    assert rows == [
        {"reason": "no_path", "people": 13.0},
        {"reason": "unknown_place", "people": 30.0},
    ]


def test_raw_output_lists_flows_with_counts_only_when_asked() -> None:
    plain = unrouted_rows(_frame(), raw=True)
    assert [r["flow_id"] for r in plain] == ["f1", "f2", "f3"]
    assert all("count" not in r for r in plain)
    counted = unrouted_rows(_frame(), raw=True, count=lambda n: round(n / 5) * 5)
    assert [r["count"] for r in counted] == [5, 10, 30]


def test_raw_is_required_for_per_flow_rows() -> None:
    assert all("flow_id" not in r for r in unrouted_rows(_frame(), raw=False))
