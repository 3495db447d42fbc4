"""Read the ``flows`` layer: aggregated movements (counts, never persons)."""

from __future__ import annotations

import pandas as pd

from layers._read import layer_reader

KIND = "flows"

# Flows need no geometry (a table of counts), so the reader may return a plain DataFrame.
read_flows = layer_reader(
    KIND, pd.DataFrame, module=__name__, example="data/mekong/flows.csv", column="origin"
)
