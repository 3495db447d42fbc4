"""A missing ``via`` is no transit place, however pandas holds it (None, NaN or NA)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _routing_fixtures import corridor_flows, corridor_region

from geotraf.endpoints import split_codes
from geotraf.routing import assign


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, ""])
def test_split_codes_reads_every_missing_value_as_no_items(missing: object) -> None:
    assert split_codes(missing) == []


def test_a_string_column_with_na_routes_like_empty_via() -> None:
    G = corridor_region()
    flows = corridor_flows()
    with_na = flows.assign(via=flows["via"].replace("", pd.NA).astype("string"))
    assert with_na["via"].isna().sum() == 6
    plain = assign(G, flows, method="shortest", show_progress=None)
    na = assign(G, with_na, method="shortest", show_progress=None)
    pd.testing.assert_series_equal(na.edge_load, plain.edge_load)
    assert len(na.unrouted) == len(plain.unrouted)
