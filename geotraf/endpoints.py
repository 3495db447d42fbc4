"""Turn a flow's origin, destination and via codes into route-graph nodes.

A code is, in this order of precedence:

1. a ``place_id`` whose node ``p:<place_id>`` is in the graph;
2. a ``place_id`` the graph builder left unattached (``G.graph["unattached"]``): the flow
   cannot be routed, reason :data:`UNATTACHED_PLACE`;
3. an ISO 3166-1 alpha-3 country code of at least one place node;
4. an admin-1 (province) code of at least one place node (``admin1`` attribute).

A country or province stands for **one** representative place: as an origin the attached
place with role ``source`` and the largest population, as a destination the place with role
``destination`` and the largest population, as a via point the place with role
``transit`` and the largest population. When no place holds that role, the most populous
place of any role is used; ties go to the smallest place_id. (Spreading a national flow
over several places in proportion to population is a possible refinement.) Population and
admin-1 come from the place nodes' ``population`` / ``admin1`` attributes or, when given,
from the places layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import networkx as nx

#: The code names no place, country or province of the graph.
UNKNOWN_PLACE = "unknown_place"
#: The place exists but the graph builder could not attach it to the network.
UNATTACHED_PLACE = "unattached_place"
#: Both ends are in the graph but no path joins them.
NO_PATH = "no_path"
#: A path existed before closures (scenario) and none is left after them.
CLOSED = "closed"

ROLE_FOR = {"origin": "source", "destination": "destination", "via": "transit"}
#: What a code names (:func:`code_areas`); the last two also name a representative place.
PLACE, COUNTRY, PROVINCE = "place", "country", "province"

#: The places-table column holding each kind of area code.
AREA_COLUMN = {COUNTRY: "country", PROVINCE: "admin1"}

_ISO3 = re.compile(r"^[A-Z]{3}$")


def split_codes(value: object) -> list[str]:
    """Split a ``;``-separated list field into its items (empty and NA give ``[]``).

    Examples
    --------
    >>> split_codes("a; b;;c")
    ['a', 'b', 'c']
    >>> split_codes(None), split_codes(pd.NA)
    ([], [])
    """
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def code_areas(codes: pd.Series, places: pd.DataFrame | None) -> pd.DataFrame:
    """Return what each code names and its country and province, from the places alone.

    The precedence of this module without the graph: a ``place_id`` (its place's country
    and ``admin1``), then a country code of at least one place, then an ``admin1`` code of
    at least one place (its country is that of its first place that has one). A code none
    of these match but shaped like ISO3 is still a country: flows may name a country no
    place of the region lies in.

    Parameters
    ----------
    codes
        Flow codes (``origin``, ``destination`` or via items).
    places
        The places layer or :func:`place_table`: ``place_id``, ``country``, optional
        ``admin1`` (empty strings count as missing).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``codes``: ``kind`` (:data:`PLACE`, :data:`COUNTRY`,
        :data:`PROVINCE` or ``<NA>`` when unknown), ``country`` and ``admin1`` (string,
        ``<NA>`` when not known).

    Examples
    --------
    >>> places = pd.DataFrame({"place_id": ["bkk"], "country": ["THA"],
    ...                        "admin1": ["Bangkok"]})
    >>> code_areas(pd.Series(["bkk", "THA", "Bangkok", "LAO", "zzz"]), places)["kind"].tolist()
    ['place', 'country', 'province', 'country', <NA>]
    >>> code_areas(pd.Series(["Bangkok", "LAO"]), places).values.tolist()
    [['province', 'THA', 'Bangkok'], ['country', 'LAO', <NA>]]
    """
    values = codes.astype("string")
    empty = pd.Series(dtype="string")
    country_by_place = admin1_by_place = country_by_admin1 = empty
    provinces: set[str] = set()
    if places is not None and len(places):
        unique = places.drop_duplicates("place_id")
        ids = unique["place_id"].astype("string").to_numpy()
        country = unique["country"].astype("string").replace("", pd.NA)
        country_by_place = pd.Series(country.to_numpy(), index=ids)
        admin1 = _admin1_column(unique)
        if admin1 is not None:
            admin1_by_place = pd.Series(admin1.to_numpy(), index=ids)
            provinces = set(admin1.dropna())
            country_by_admin1 = (
                pd.DataFrame({"a": admin1, "c": country})
                .dropna()
                .drop_duplicates("a")
                .set_index("a")["c"]
            )
    is_place = values.isin(set(country_by_place.index))
    is_country = ~is_place & values.isin(set(country_by_place.dropna()))
    is_province = ~is_place & ~is_country & values.isin(provinces)
    is_iso3 = values.str.fullmatch(_ISO3).fillna(False).astype(bool)
    is_country |= ~is_place & ~is_province & is_iso3
    kind = pd.Series(pd.NA, index=codes.index, dtype="string")
    kind = kind.mask(is_place, PLACE).mask(is_country, COUNTRY).mask(is_province, PROVINCE)
    country_of = values.map(country_by_place).astype("string")
    country_of = country_of.mask(is_country, values)
    country_of = country_of.mask(is_province, values.map(country_by_admin1).astype("string"))
    admin1_of = values.map(admin1_by_place).astype("string").where(is_place)
    admin1_of = admin1_of.mask(is_province, values)
    return pd.DataFrame(
        {"kind": kind, "country": country_of, "admin1": admin1_of},
        index=codes.index,
    )


def _admin1_column(places: pd.DataFrame) -> pd.Series | None:
    if "admin1" not in places.columns:
        return None
    col = places["admin1"].astype("string").replace("", pd.NA)
    return None if col.isna().all() else col


def place_table(G: nx.MultiDiGraph, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the graph's place nodes as a table.

    Columns: ``node``, ``place_id``, ``name``, ``country``, ``admin1``, ``roles`` (list),
    ``population``, ``place_type``; one row per place node, sorted by ``place_id``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:1", kind="place", place_id="1", country="THA", role="destination")
    >>> place_table(G)[["node", "country"]].values.tolist()
    [['p:1', 'THA']]
    """
    rows = []
    for node, data in G.nodes(data=True):
        if data.get("kind") != "place":
            continue
        rows.append(
            {
                "node": node,
                "place_id": str(data.get("place_id", str(node).removeprefix("p:"))),
                "name": str(data.get("name", "")),
                "country": str(data.get("country", "") or ""),
                "admin1": str(data.get("admin1", "") or ""),
                "roles": split_codes(data.get("role", "")),
                "population": float(data.get("population", 0) or 0),
                "place_type": str(data.get("place_type", "")),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "node",
            "place_id",
            "name",
            "country",
            "admin1",
            "roles",
            "population",
            "place_type",
        ],
    )
    if places is not None and len(table) and "place_id" in places.columns:
        extra = places.set_index(places["place_id"].astype(str))
        for col in ("population", "admin1"):
            if col in extra.columns:
                values = table["place_id"].map(extra[col])
                table[col] = values.where(values.notna(), table[col])
        table["population"] = pd.to_numeric(table["population"], errors="coerce").fillna(0.0)
        table["admin1"] = table["admin1"].fillna("").astype(str)
    return table.sort_values("place_id", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Endpoint:
    """A resolved code: the node it stands for, or why there is none."""

    code: str
    node: str | None
    reason: str | None = None
    detail: str = ""


class EndpointResolver:
    """Resolve flow codes to graph nodes (see the module docstring for the rules).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p:a", kind="place", place_id="a", country="LAO", role="source",
    ...            population=10)
    >>> G.add_node("p:b", kind="place", place_id="b", country="LAO", role="source",
    ...            population=99)
    >>> resolver = EndpointResolver(G)
    >>> resolver.resolve("LAO", as_="origin").node
    'p:b'
    >>> resolver.resolve("zzz", as_="origin").reason
    'unknown_place'
    """

    def __init__(self, G: nx.MultiDiGraph, places: pd.DataFrame | None = None) -> None:
        self._nodes = G
        self._table = place_table(G, places)
        self._unattached = {str(p) for p in G.graph.get("unattached", []) or []}
        self._cache: dict[tuple[str, str], Endpoint] = {}
        # Only the table's own country and admin-1 values can have candidates; classify
        # them once, in bulk, rather than one pandas pass per code.
        names = pd.Series(sorted({*self._table["country"], *self._table["admin1"]} - {""}))
        kinds = code_areas(names, self._table)["kind"]
        self._area_kind: dict[str, str] = {
            code: kind for code, kind in zip(names, kinds, strict=True) if kind in AREA_COLUMN
        }

    def resolve(self, code: object, *, as_: str) -> Endpoint:
        """Resolve ``code`` used as ``as_`` (``origin``, ``destination`` or ``via``)."""
        text = "" if code is None or (isinstance(code, float) and pd.isna(code)) else str(code)
        text = text.strip()
        key = (text, as_)
        if key not in self._cache:
            self._cache[key] = self._resolve(text, as_)
        return self._cache[key]

    def _resolve(self, code: str, as_: str) -> Endpoint:
        if not code:
            return Endpoint(code, None, UNKNOWN_PLACE, f"empty {as_}")
        node = f"p:{code}"
        if node in self._nodes:
            return Endpoint(code, node)
        if code in self._nodes and self._nodes.nodes[code].get("kind") == "place":
            return Endpoint(code, code)
        if code in self._unattached:
            return Endpoint(
                code,
                None,
                UNATTACHED_PLACE,
                f"place {code} is too far from every road to be attached to the network",
            )
        kind = self._area_kind.get(code)
        if kind is not None:
            candidates = self._table[self._table[AREA_COLUMN[kind]] == code]
            return Endpoint(code, self._representative(candidates, as_), None, kind)
        return Endpoint(
            code,
            None,
            UNKNOWN_PLACE,
            f"{code!r} is not a place_id, country code or province code of this region",
        )

    @staticmethod
    def _representative(candidates: pd.DataFrame, as_: str) -> str:
        role = ROLE_FOR.get(as_, "")
        with_role = candidates[candidates["roles"].map(lambda roles: role in roles)]
        pool = with_role if len(with_role) else candidates
        # place_id ascending first, then a stable sort on population: ties keep id order.
        ranked = pool.sort_values("place_id", kind="stable").sort_values(
            "population", ascending=False, kind="stable"
        )
        return str(ranked["node"].iloc[0])
