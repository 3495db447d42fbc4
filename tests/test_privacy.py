"""Small-count suppression, checked cell by cell."""

from __future__ import annotations

import pandas as pd
import pytest

from geotraf.errors import PrivacyError
from geotraf.privacy import assert_no_small_counts, format_count, safe_total, suppress


def test_primary_suppression_hides_counts_from_1_to_10() -> None:
    df = pd.DataFrame({"count": [0, 1, 10, 11, 500]})
    out = suppress(df, by=["count"])  # one cell per group: no secondary suppression
    assert out["count"].isna().tolist() == [False, True, True, False, False]
    assert out["count"].dropna().tolist() == [0, 11, 500]


def test_secondary_suppression_hides_the_smallest_other_cell_of_the_group() -> None:
    df = pd.DataFrame(
        {
            "origin": ["LAO", "LAO", "LAO", "KHM", "KHM"],
            "destination": ["THA", "VNM", "CHN", "THA", "VNM"],
            "count": [3, 40, 25, 4, 7],
        }
    )
    out = suppress(df, by=["origin"])
    # LAO: 3 is primary; 25 (smallest other) is secondary so LAO's total hides both.
    # KHM: two primary cells already protect each other.
    assert out["suppressed"].tolist() == [True, False, True, True, True]
    assert out.loc[1, "count"] == 40


def test_suppress_does_not_mutate_input_and_keeps_index() -> None:
    df = pd.DataFrame({"count": [5, 50, 60]}, index=[7, 8, 9])
    out = suppress(df)
    assert df["count"].tolist() == [5, 50, 60]
    assert list(out.index) == [7, 8, 9]


def test_fractional_loads_stay_float() -> None:
    out = suppress(pd.DataFrame({"count": [2.5, 30.25, 12.0]}), by=None)
    assert str(out["count"].dtype) == "Float64"
    assert out["count"].isna().tolist() == [True, False, True]


def test_errors_name_the_problem() -> None:
    with pytest.raises(PrivacyError, match="no column 'n'"):
        suppress(pd.DataFrame({"count": [1]}), count_col="n")
    with pytest.raises(PrivacyError, match="below the suppression threshold 11"):
        assert_no_small_counts(pd.DataFrame({"count": [12, 3]}))
    assert_no_small_counts(pd.DataFrame({"count": [0, 11, None]}))


def test_totals_and_labels() -> None:
    assert safe_total(pd.Series([2, 3])) is None
    assert safe_total(pd.Series([0, 0])) == 0.0
    assert safe_total(pd.Series([6, 6])) == 12.0
    assert format_count(10) == "<11"
    assert format_count(pd.NA) == "<11"
    assert format_count(12345) == "12,345"
    assert format_count(0) == "0"
