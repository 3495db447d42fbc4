"""Import country-to-country flows from the CTDC global k-anonymised dataset.

The Counter Trafficking Data Collaborative publishes one row per victim record
(semicolon-separated, already k-anonymised with k = 11). geotraf never keeps person rows:
records are counted into flows citizenship → country of exploitation by year, form of
exploitation, sector, sex and age. Countries come as ISO 3166-1 alpha-2 and are turned
into alpha-3 with the bundled GeoNames table (``layers/iso3166.csv``, CC BY 4.0).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd

from layers._validate import validate
from layers._values import iso_table
from layers.errors import LayerError, Problem, file_error

#: Columns a CTDC file must have.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    "isForcedLabour",
    "isSexualExploit",
)
#: CTDC ``typeOfLabour*`` column suffix → geotraf sector.
LABOUR_SECTORS: dict[str, str] = {
    "Agriculture": "agriculture",
    "Aquafarming": "fishing",
    "Fishing": "fishing",
    "Begging": "begging_street_selling",
    "Peddling": "begging_street_selling",
    "Construction": "construction",
    "DomesticWork": "domestic_work",
    "Hospitality": "hospitality",
    "Manufacturing": "manufacturing",
    "MiningOrDrilling": "mining",
    "Transportation": "transport",
    "IllicitActivities": "other",
    "Other": "other",
}
#: How CTDC writes "unknown" ("NA" is not one of them: it is Namibia).
UNKNOWN: frozenset[str] = frozenset({"", "-99", "N/A", "NULL", "nan", "Unknown", "00"})
SEX: dict[str, str] = {
    "female": "female",
    "woman": "female",
    "girl": "female",
    "male": "male",
    "man": "male",
    "boy": "male",
}
#: Flow columns a CTDC record is counted by.
GROUP_BY: list[str] = [
    "origin",
    "destination",
    "year",
    "exploitation",
    "sector",
    "sex",
    "age_group",
    "age_band",
]


def _known(value: str) -> str | None:
    value = value.strip()
    return None if value in UNKNOWN else value


def _flag(record: dict[str, str], column: str) -> bool:
    return (record.get(column) or "").strip() in ("1", "1.0", "true", "True")


def exploitation_of(record: dict[str, str]) -> str:
    """Return the geotraf form of exploitation of one CTDC record."""
    sexual, labour = _flag(record, "isSexualExploit"), _flag(record, "isForcedLabour")
    if _flag(record, "isSexAndLabour") or (sexual and labour):
        return "mixed_sexual_labour"
    if sexual:
        return "sexual"
    if labour:
        return "forced_labour"
    for column, form in (
        ("isForcedMarriage", "forced_marriage"),
        ("isOrganRemoval", "organ_removal"),
        ("isOtherExploit", "other"),
    ):
        if _flag(record, column):
            return form
    return "unknown"


def sector_of(record: dict[str, str], exploitation: str) -> str:
    """Return the sector from ``typeOfLabour*`` flags (several different ones → other)."""
    sectors = {
        sector
        for suffix, sector in LABOUR_SECTORS.items()
        if _flag(record, f"typeOfLabour{suffix}")
    }
    if len(sectors) == 1:
        return sectors.pop()
    if len(sectors) > 1:
        return "other"
    if exploitation == "sexual":
        return "entertainment_sex_industry"
    return "unknown"


def sex_of(value: str) -> str:
    """Map CTDC ``gender`` to the schema's sex; any other stated value is ``other``."""
    known = _known(value)
    if known is None:
        return "unknown"
    return SEX.get(known.lower(), "other")


def age_of(majority: str, band: str) -> str:
    """Return child/adult from ``majorityStatus``, else from the ``ageBroad`` band."""
    status = (_known(majority) or "").lower()
    if status in ("minor", "child"):
        return "child"
    if status == "adult":
        return "adult"
    known = _known(band)
    if known is None:
        return "unknown"
    bounds = [int(p) for p in known.replace("+", "").replace("--", "-").split("-") if p.isdigit()]
    if not bounds:
        return "unknown"
    if max(bounds) < 18:
        return "child"
    return "adult" if min(bounds) >= 18 else "unknown"


def read_ctdc(path: str | Path) -> pd.DataFrame:
    """Count CTDC victim records into country-to-country flows (never person rows).

    Parameters
    ----------
    path
        The CTDC global k-anonymised CSV (``;``-separated; ``,`` is accepted too).

    Returns
    -------
    DataFrame
        Flows schema: ``origin`` (citizenship, ISO3) → ``destination`` (country of
        exploitation, ISO3) by ``year``, ``exploitation``, ``sector``, ``sex``,
        ``age_group`` and raw ``age_band``, with ``count`` records, ``source="CTDC"``,
        ``synthetic=False``. Records without a known citizenship, country of
        exploitation or year cannot be placed on a map and are counted in
        ``attrs["dropped"]`` by reason.

    Raises
    ------
    LayerError
        When the file is missing, empty or lacks CTDC columns.

    Examples
    --------
    >>> flows = read_ctdc("tests/data/ctdc/ctdc_sample.csv")  # doctest: +SKIP
    >>> int(flows["count"].sum())  # doctest: +SKIP
    26
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        what = "is empty (0 bytes)" if path.is_file() else f"file not found: {path}"
        raise file_error(path.name, what, "give the CTDC global dataset CSV", kind="flows")
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise LayerError(
            [
                Problem(
                    path.name,
                    None,
                    col,
                    None,
                    "the file looks like the CTDC dataset, but this CTDC column is missing "
                    f"(columns found: {', '.join(columns[:12]) or 'none'}"
                    f"{', ...' if len(columns) > 12 else ''})",
                    "give the CTDC global k-anonymised CSV as downloaded, or a flows table "
                    "with origin, destination, year and count",
                )
                for col in missing
            ],
            kind="flows",
        )
    codes = iso_table()
    counts: Counter[tuple[str, ...]] = Counter()
    dropped: Counter[str] = Counter()
    for record in reader:
        record = {(k or "").strip(): (v or "") for k, v in record.items()}
        year_text = _known(record["yearOfRegistration"])
        origin = _known(record["citizenship"])
        destination = _known(record["CountryOfExploitation"])
        if year_text is None or not year_text.split(".")[0].isdigit():
            dropped["unknown year"] += 1
            continue
        if origin is None or origin.upper() not in codes:
            dropped["unknown citizenship"] += 1
            continue
        if destination is None or destination.upper() not in codes:
            dropped["unknown country of exploitation"] += 1
            continue
        exploitation = exploitation_of(record)
        band = _known(record["ageBroad"]) or ""
        key = (
            codes[origin.upper()][0],
            codes[destination.upper()][0],
            year_text.split(".")[0],
            exploitation,
            sector_of(record, exploitation),
            sex_of(record["gender"]),
            age_of(record["majorityStatus"], band),
            band,
        )
        counts[key] += 1
    if not counts:
        raise file_error(
            path.name,
            f"has no record with a known year, citizenship and country of exploitation "
            f"({sum(dropped.values())} records)",
            "check that this is the CTDC global dataset",
            kind="flows",
        )
    table = pd.DataFrame(
        [(*key, n) for key, n in sorted(counts.items())], columns=[*GROUP_BY, "count"]
    )
    table["mode"] = "unknown"
    table["source"] = "CTDC"
    table["synthetic"] = False
    out = validate(table, "flows", source=path.name)
    out.attrs["dropped"] = dict(dropped)
    out.attrs["records"] = int(sum(counts.values()))
    out.attrs["source"] = path.name
    return out
