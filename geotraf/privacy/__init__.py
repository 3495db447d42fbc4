"""Differential privacy for every count geotraf shows: one release, then display rules.

- :mod:`geotraf.privacy.release` makes an ε-DP release of the flows and incidents with
  OpenDP: noisy counts over declared keys. Every number a donor or analyst sees is
  computed from it (post-processing costs no further privacy).
- :mod:`geotraf.privacy.store` keeps each release in the instance folder (computed once
  per dataset version, shared by workers and restarts) with a ledger of every release.
- :mod:`geotraf.privacy.region` declares the keys of a region's release and obtains it.
- :mod:`geotraf.privacy.incidents` keys the incidents by road node for the release and
  gives the released incidents back as points (density layer, hotspot scores).
- :mod:`geotraf.privacy.display` is the last step: noisy values below the display
  threshold (11) are shown as ``<11``.

Examples
--------
One release of a small flows table over its declared keys, then the display rules on a
table of (noisy) counts:

>>> import pandas as pd
>>> flows = pd.DataFrame({"origin_country": ["LAO"] * 2, "destination_country": ["THA"] * 2,
...                       "origin": ["vte"] * 2, "destination": ["bkk"] * 2,
...                       "year": [2020, 2021], "exploitation": ["sexual"] * 2,
...                       "sector": ["other"] * 2, "sex": ["female"] * 2,
...                       "age_group": ["adult"] * 2, "mode": ["road"] * 2,
...                       "count": [40, 25]})
>>> domains = {"origin_country": ["LAO", "THA"], "destination_country": ["LAO", "THA"],
...            "year": [2020, 2021], "exploitation": ["sexual"], "age_group": ["adult"],
...            "origin": ["vte"], "destination": ["bkk"]}
>>> release = make_release(flows, domains=domains)
>>> release.epsilon, protection_note(release.epsilon)
(1.0, 'differentially private, ε = 1; below 11 shown as <11')
>>> shown = suppress(pd.DataFrame({"country": ["LAO", "KHM"], "count": [4, 30]}))
>>> [format_count(c) for c in shown["count"]]
['<11', '30']
"""

from geotraf.privacy.display import (
    DEFAULT_THRESHOLD,
    DONOR_NOTE,
    SUPPRESSED_LABEL,
    assert_no_small_counts,
    format_count,
    non_negative,
    protection_note,
    safe_total,
    suppress,
)
from geotraf.privacy.incidents import released_incidents
from geotraf.privacy.region import release_region, released_flows
from geotraf.privacy.release import Release, ReleaseConfig, make_release
from geotraf.privacy.store import ReleaseStore

__all__ = [
    "DEFAULT_THRESHOLD",
    "DONOR_NOTE",
    "SUPPRESSED_LABEL",
    "Release",
    "ReleaseConfig",
    "ReleaseStore",
    "assert_no_small_counts",
    "format_count",
    "make_release",
    "non_negative",
    "protection_note",
    "release_region",
    "released_flows",
    "released_incidents",
    "safe_total",
    "suppress",
]
