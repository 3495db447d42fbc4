"""Display rules on released values: non-negative whole numbers, ``<11`` below 11."""

from __future__ import annotations

import pandas as pd
import pytest

from geotraf.errors import PrivacyError
from geotraf.privacy import (
    assert_no_small_counts,
    format_count,
    protection_note,
    safe_total,
    suppress,
)


def test_values_from_1_to_10_are_shown_suppressed_and_negatives_as_zero() -> None:
    df = pd.DataFrame({"count": [0, 1, 10, 11, 500, -4]})
    out = suppress(df)
    assert out["count"].isna().tolist() == [False, True, True, False, False, False]
    assert out["count"].dropna().tolist() == [0, 11, 500, 0]
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]


def test_no_secondary_suppression_the_noise_protects() -> None:
    df = pd.DataFrame({"origin": ["LAO", "LAO", "LAO"], "count": [3, 40, 25]})
    out = suppress(df, by=["origin"])
    assert out["suppressed"].tolist() == [True, False, False]


def test_suppress_does_not_mutate_input_and_keeps_index() -> None:
    df = pd.DataFrame({"count": [5, 50, 60]}, index=[7, 8, 9])
    out = suppress(df)
    assert df["count"].tolist() == [5, 50, 60]
    assert list(out.index) == [7, 8, 9]


def test_fractional_loads_stay_float() -> None:
    out = suppress(pd.DataFrame({"count": [2.5, 30.25, 12.0, -1.5]}))
    assert str(out["count"].dtype) == "Float64"
    assert out["count"].isna().tolist() == [True, False, False, False]
    assert out["count"].iloc[3] == 0.0


def test_errors_name_the_problem() -> None:
    with pytest.raises(PrivacyError, match="no column 'n'"):
        suppress(pd.DataFrame({"count": [1]}), count_col="n")
    with pytest.raises(PrivacyError, match="below the display threshold 11"):
        assert_no_small_counts(pd.DataFrame({"count": [12, 3]}))
    assert_no_small_counts(pd.DataFrame({"count": [0, 11, None]}))


def test_totals_and_labels() -> None:
    assert safe_total(pd.Series([2, 3])) is None
    assert safe_total(pd.Series([0, 0])) == 0.0
    assert safe_total(pd.Series([6, 6, -20])) == 0.0
    assert safe_total(pd.Series([6, 6])) == 12.0
    assert format_count(10) == "<11"
    assert format_count(10.6) == "<11"
    assert format_count(pd.NA) == "<11"
    assert format_count(12345) == "12,345"
    assert format_count(0) == "0"
    assert protection_note(0.5) == "differentially private, ε = 0.5; below 11 shown as <11"
