"""CTDC importer: victim records are counted into country-to-country flows.

tests/data/ctdc/ctdc_sample.csv holds 29 invented records in the real CTDC column layout
(see make_sample.py SPECS); every number below is counted from SPECS by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from layers import LayerError, read_ctdc
from layers.ctdc import age_of, exploitation_of, sex_of
from layers.schema import FLOWS

CTDC = Path(__file__).parent / "data" / "ctdc" / "ctdc_sample.csv"


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    return read_ctdc(CTDC)


def _count(flows: pd.DataFrame, **where: object) -> int:
    mask = pd.Series(True, index=flows.index)
    for column, value in where.items():
        mask &= flows[column] == value
    return int(flows.loc[mask, "count"].sum())


def test_totals(flows: pd.DataFrame) -> None:
    # 29 records: 2 without citizenship, 1 without year, 1 without country of exploitation
    assert flows.attrs["records"] == 25
    assert int(flows["count"].sum()) == 25
    assert flows.attrs["dropped"] == {
        "unknown citizenship": 2,
        "unknown year": 1,
        "unknown country of exploitation": 1,
    }
    assert len(flows) == 11  # one row per distinct flow, never one per person


def test_schema(flows: pd.DataFrame) -> None:
    assert not hasattr(flows, "geometry")
    assert list(flows.columns) == FLOWS.columns
    assert flows["source"].eq("CTDC").all()
    assert flows["synthetic"].eq(False).all()
    assert flows["mode"].eq("unknown").all()
    assert flows["via"].eq("").all()


def test_country_codes_to_iso3(flows: pd.DataFrame) -> None:
    assert _count(flows, origin="KHM", destination="THA") == 9  # 2+1+1 sexual, 3+2 labour
    assert _count(flows, origin="LAO", destination="THA") == 4
    assert _count(flows, origin="MMR", destination="THA") == 6
    assert _count(flows, origin="VNM", destination="CHN") == 3
    assert _count(flows, origin="THA", destination="THA") == 1
    # "NA" is Namibia, not a missing value
    assert _count(flows, origin="NAM", destination="ZAF", sector="hospitality") == 2


def test_aggregation_by_group(flows: pd.DataFrame) -> None:
    # "Female" and "Woman" records of the same group are one flow of 4
    row = flows[
        (flows["origin"] == "KHM") & (flows["exploitation"] == "sexual") & (flows["year"] == 2019)
    ]
    assert row["count"].tolist() == [4]
    assert row["sex"].tolist() == ["female"]
    assert row["age_band"].tolist() == ["18--20"]
    assert row["sector"].tolist() == ["entertainment_sex_industry"]
    assert _count(flows, origin="KHM", sector="fishing", sex="male") == 3
    assert _count(flows, origin="KHM", sector="construction") == 2


def test_age_groups(flows: pd.DataFrame) -> None:
    lao = flows[flows["origin"] == "LAO"].set_index("age_band")["count"].to_dict()
    assert lao == {"": 1, "9--17": 3}  # a minor with unknown band keeps an empty band
    assert _count(flows, age_group="child") == 4
    # majorityStatus -99 with band 30--38 is an adult by the band
    assert _count(flows, origin="MMR", sector="domestic_work", age_group="adult") == 2
    assert _count(flows, age_group="unknown", sex="unknown", exploitation="unknown") == 2


def test_exploitation_forms(flows: pd.DataFrame) -> None:
    by_form = flows.groupby("exploitation")["count"].sum().to_dict()
    assert by_form == {
        "forced_labour": 3 + 2 + 2 + 1 + 2,
        "forced_marriage": 3,
        "mixed_sexual_labour": 2,
        "sexual": 4 + 4,
        "unknown": 2,
    }
    assert _count(flows, origin="THA", sector="other") == 1  # two labour types → other


def test_helpers() -> None:
    assert exploitation_of({"isSexualExploit": "1", "isForcedLabour": "1"}) == (
        "mixed_sexual_labour"
    )
    assert exploitation_of({"isOrganRemoval": "1", "isSexualExploit": "0"}) == "organ_removal"
    assert exploitation_of({"isSexualExploit": "-99"}) == "unknown"
    assert sex_of("Man") == "male" and sex_of("-99") == "unknown"
    assert sex_of("Trans/Transgender/NonConforming") == "other"
    assert age_of("-99", "48+") == "adult"
    assert age_of("", "0--8") == "child"
    assert age_of("-99", "-99") == "unknown"


def test_not_a_ctdc_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(LayerError, match="CTDC column is missing") as info:
        read_ctdc(path)
    assert {p.column for p in info.value.problems} >= {"citizenship", "CountryOfExploitation"}
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(LayerError, match="0 bytes"):
        read_ctdc(tmp_path / "empty.csv")
