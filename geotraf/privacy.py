"""Small-count suppression: the last step before any count leaves the server.

Counts of people below a threshold (CTDC uses 11) could point at individuals, so they are
replaced by "missing" everywhere they are shown or exported: pages, callbacks, files and
the CLI. *Secondary* suppression hides one more cell in each group that has exactly one
suppressed cell, so that the group's total cannot be used to recover it.

Zero is not suppressed: it says nobody was counted, which reveals no one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geotraf.errors import PrivacyError

#: Default threshold: counts 1..10 are suppressed (as in CTDC's published data).
DEFAULT_THRESHOLD = 11
#: How a suppressed count is written in text outputs.
SUPPRESSED_LABEL = "<11"


def suppress(
    frame: pd.DataFrame,
    *,
    count_col: str = "count",
    threshold: int = DEFAULT_THRESHOLD,
    by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with small counts replaced by ``<NA>``.

    Parameters
    ----------
    frame
        Aggregated table with one count column; never person rows.
    count_col
        Name of the count column. It becomes a nullable ``Int64`` column (or ``Float64``
        if it held fractional modelled loads).
    threshold
        Counts ``0 < c < threshold`` are suppressed (primary suppression).
    by
        Columns that define the groups whose totals are published (for example
        ``["origin_country"]`` when per-origin totals are shown beside the cells). In a
        group with exactly one primary-suppressed cell, the smallest other non-zero cell
        is suppressed too (secondary suppression), so the total cannot reveal it.
        ``None`` treats the whole table as one group.

    Returns
    -------
    pandas.DataFrame
        Same index and columns, plus a boolean ``suppressed`` column.

    Examples
    --------
    >>> df = pd.DataFrame({"country": ["LAO", "KHM", "MMR"], "count": [4, 30, 25]})
    >>> out = suppress(df)
    >>> out["count"].tolist()
    [<NA>, 30, <NA>]
    >>> out["suppressed"].tolist()
    [True, False, True]
    """
    if count_col not in frame.columns:
        raise PrivacyError(f"cannot suppress: no column {count_col!r} in {list(frame.columns)}")
    if threshold < 1:
        raise PrivacyError(f"suppression threshold must be at least 1, got {threshold}")
    out = frame.copy()
    counts = pd.to_numeric(out[count_col], errors="raise").to_numpy(dtype=float)
    primary = (counts > 0) & (counts < threshold)
    hidden = primary.copy()
    if by:
        groups = out.groupby(list(by), sort=False, dropna=False).indices.values()
    else:
        groups = [np.arange(len(out))]
    for rows in groups:
        if int(primary[rows].sum()) != 1:
            continue
        open_rows = rows[~hidden[rows] & (counts[rows] > 0)]
        if len(open_rows):
            hidden[open_rows[np.argmin(counts[open_rows])]] = True
    finite = counts[~np.isnan(counts)]
    dtype = "Int64" if bool(np.all(finite % 1 == 0)) else "Float64"
    out[count_col] = pd.Series(counts, index=out.index).astype(dtype).mask(hidden)
    out["suppressed"] = hidden
    return out


def safe_total(counts: pd.Series, *, threshold: int = DEFAULT_THRESHOLD) -> float | None:
    """Return the sum of ``counts``, or ``None`` when the sum itself is below the threshold.

    Examples
    --------
    >>> safe_total(pd.Series([3, 4])) is None
    True
    >>> safe_total(pd.Series([3, 40]))
    43.0
    """
    total = float(pd.to_numeric(counts).fillna(0).sum())
    if 0 < total < threshold:
        return None
    return total


def format_count(value: object, *, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Format a count for display; suppressed or small values read ``<11``.

    Examples
    --------
    >>> format_count(1234.4), format_count(None), format_count(7)
    ('1,234', '<11', '<11')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return f"<{threshold}"
    number = float(value)  # type: ignore[arg-type]
    if 0 < number < threshold:
        return f"<{threshold}"
    return f"{round(number):,}"


def assert_no_small_counts(
    frame: pd.DataFrame,
    *,
    count_cols: Sequence[str] = ("count",),
    threshold: int = DEFAULT_THRESHOLD,
) -> None:
    """Raise :class:`PrivacyError` if any listed column holds a count ``0 < c < threshold``.

    Used as a guard at the edge of the server (exports, callback payloads).
    """
    for col in count_cols:
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        small = values[(values > 0) & (values < threshold)]
        if len(small):
            raise PrivacyError(
                f"{len(small)} value(s) of {col!r} are below the suppression threshold "
                f"{threshold}; pass the table through geotraf.privacy.suppress first"
            )
