"""Display rules applied to released (noisy) values: the last step before a count is shown.

Every count shown comes from the differentially private release
(:mod:`geotraf.privacy.release`); these functions only post-process it, which costs no
privacy. A value is first made a non-negative whole number (a sum of noisy cells can be
negative), then a value ``0 < v < threshold`` is shown as ``<11`` — the display threshold
CTDC also uses. There is no secondary suppression: the protection is the noise, not the
hiding, so totals beside a hidden cell reveal nothing that the release does not.

Zero is shown: it says the release holds nobody there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geotraf.errors import PrivacyError

#: Display threshold: released values 1..10 are shown as ``<11`` (as in CTDC's data).
DEFAULT_THRESHOLD = 11
#: How a value below the threshold is written in text outputs.
SUPPRESSED_LABEL = "<11"


def non_negative(values: pd.Series | np.ndarray) -> np.ndarray:
    """Return released values as non-negative whole numbers (floats, for sums of shares).

    Examples
    --------
    >>> non_negative(np.array([-3.0, 2.4, 7.6])).tolist()
    [0.0, 2.0, 8.0]
    """
    arr = np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype=float)
    return np.clip(np.rint(np.nan_to_num(arr, nan=0.0)), 0.0, None)


def suppress(
    frame: pd.DataFrame,
    *,
    count_col: str = "count",
    threshold: int = DEFAULT_THRESHOLD,
    by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return a copy of a table of *released* values with small ones hidden for display.

    Values are made non-negative whole numbers first (post-processing of the release),
    then ``0 < v < threshold`` becomes ``<NA>`` with ``suppressed=True``.

    Parameters
    ----------
    frame
        Aggregated table of values derived from the release; never person rows.
    count_col
        Name of the count column. It becomes a nullable ``Int64`` column (``Float64``
        for fractional modelled loads, which are clipped at zero but not rounded).
    threshold
        Display threshold.
    by
        Ignored (kept for callers of the former per-query suppression; the release's
        noise, not secondary suppression, is the protection now).

    Returns
    -------
    pandas.DataFrame
        Same index and columns, plus a boolean ``suppressed`` column.

    Examples
    --------
    >>> df = pd.DataFrame({"country": ["LAO", "KHM", "MMR"], "count": [4, 30, -2]})
    >>> out = suppress(df)
    >>> out["count"].tolist()
    [<NA>, 30, 0]
    >>> out["suppressed"].tolist()
    [True, False, False]
    """
    del by
    if count_col not in frame.columns:
        raise PrivacyError(f"cannot suppress: no column {count_col!r} in {list(frame.columns)}")
    if threshold < 1:
        raise PrivacyError(f"display threshold must be at least 1, got {threshold}")
    out = frame.copy()
    values = np.asarray(pd.to_numeric(out[count_col], errors="raise"), dtype=float)
    counts = np.clip(np.nan_to_num(values, nan=0.0), 0.0, None)
    whole = bool(np.all(counts % 1 == 0))
    hidden = (counts > 0) & (np.rint(counts) < threshold)
    dtype = "Int64" if whole else "Float64"
    out[count_col] = pd.Series(counts, index=out.index).astype(dtype).mask(hidden)
    out["suppressed"] = hidden
    return out


def safe_total(counts: pd.Series, *, threshold: int = DEFAULT_THRESHOLD) -> float | None:
    """Return the non-negative whole sum of released ``counts``; None below the threshold.

    Examples
    --------
    >>> safe_total(pd.Series([3, 4])) is None
    True
    >>> safe_total(pd.Series([3, 40, -1]))
    42.0
    """
    total = float(non_negative(np.array([pd.to_numeric(counts).fillna(0).sum()]))[0])
    if 0 < total < threshold:
        return None
    return total


def format_count(value: object, *, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Format a released count for display; missing or small values read ``<11``.

    Examples
    --------
    >>> format_count(1234.4), format_count(None), format_count(7), format_count(-3)
    ('1,234', '<11', '<11', '0')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return f"<{threshold}"
    number = max(0.0, float(value))  # type: ignore[arg-type]
    if 0 < round(number) < threshold or 0 < number < threshold:
        return f"<{threshold}"
    return f"{round(number):,}"


def protection_note(epsilon: float, *, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Return the one-line statement of the protection shown on every page and export.

    Examples
    --------
    >>> protection_note(1.0)
    'differentially private, ε = 1; below 11 shown as <11'
    """
    return f"differentially private, ε = {epsilon:g}; below {threshold} shown as <{threshold}"


#: Plain-language note for donors, shown beside :func:`protection_note`.
DONOR_NOTE = (
    "Every number here is computed from a privacy-protected version of the data: small "
    "random changes were added once, so no single person's presence can be told apart, "
    "however many questions are asked. Totals are close to the real ones, not exact."
)


def assert_no_small_counts(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str] = ("count",),
    threshold: int = DEFAULT_THRESHOLD,
) -> None:
    """Raise :class:`PrivacyError` if any listed column holds a value ``0 < c < threshold``.

    Used as a guard at the edge of the server (exports, callback payloads).
    """
    for col in count_cols:
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        small = values[(values > 0) & (values < threshold)]
        if len(small):
            raise PrivacyError(
                f"{len(small)} value(s) of {col!r} are below the display threshold "
                f"{threshold}; pass the table through geotraf.privacy.suppress first"
            )
