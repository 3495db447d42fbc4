"""Layer schemas: the one place where columns, dtypes and allowed values are declared.

Validation (:mod:`layers._validate`), the README table, ``geotraf layers`` and the
dashboard's filters all read these objects; category lists are never retyped elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Dtype = Literal["str", "int", "float", "bool", "date", "list[str]"]

# --- categories (docs/data-model.md) ----------------------------------------------------

ROLES: tuple[str, ...] = ("source", "transit", "destination")
PLACE_TYPES: tuple[str, ...] = (
    "city",
    "village",
    "border_crossing",
    "bus_station",
    "rail_station",
    "port",
    "ferry_terminal",
    "truck_stop",
    "petrol_station",
    "restaurant",
    "motel",
    "bar_nightclub",
    "airport",
    "other",
)
#: Place and site types that the sources name as interception hotspots (vulnerable points).
VULNERABLE_PLACE_TYPES: tuple[str, ...] = (
    "border_crossing",
    "bus_station",
    "rail_station",
    "port",
    "ferry_terminal",
    "truck_stop",
    "petrol_station",
    "restaurant",
    "motel",
    "bar_nightclub",
)
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "track",
    "ferry",
    "rail",
)
#: Default speeds (km/h) by road class when ``maxspeed_kph`` is missing.
DEFAULT_SPEED_KPH: dict[str, float] = {
    "motorway": 100.0,
    "trunk": 80.0,
    "primary": 65.0,
    "secondary": 50.0,
    "tertiary": 40.0,
    "track": 20.0,
    "ferry": 15.0,
    "rail": 60.0,
}
CROSSING_STATUS: tuple[str, ...] = ("official", "informal")
EXPLOITATION: tuple[str, ...] = (
    "sexual",
    "forced_labour",
    "mixed_sexual_labour",
    "domestic_servitude",
    "begging",
    "forced_marriage",
    "organ_removal",
    "other",
    "unknown",
)
SECTORS: tuple[str, ...] = (
    "agriculture",
    "construction",
    "domestic_work",
    "fishing",
    "manufacturing",
    "mining",
    "entertainment_sex_industry",
    "hospitality",
    "transport",
    "begging_street_selling",
    "other",
    "unknown",
)
SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
AGE_GROUPS: tuple[str, ...] = ("child", "adult", "unknown")
MODES: tuple[str, ...] = ("road", "rail", "boat", "foot", "air", "unknown")
INCIDENT_KINDS: tuple[str, ...] = ("interception", "rescue", "arrest", "report")
RISK_LEVELS: tuple[str, ...] = ("critical", "high", "medium", "low")

#: Layer kinds in data-flow order; a region holds at most one of each.
LAYER_KINDS: tuple[str, ...] = (
    "places",
    "roads",
    "borders",
    "crossings",
    "flows",
    "incidents",
    "sites",
)
#: Layers a region cannot do without.
REQUIRED_KINDS: tuple[str, ...] = ("places", "roads")

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Field:
    """One column of a layer.

    Parameters
    ----------
    name
        Column name in the normalised GeoDataFrame.
    dtype
        Logical type; ``list[str]`` columns are stored as ``;``-separated strings in files.
    required
        A file without this column is rejected.
    allowed
        Allowed values for categorical columns (each item of a ``list[str]``).
    unique
        Values must not repeat (identifiers).
    default
        Value used when an optional column is absent.
    min, max
        Inclusive numeric bounds.
    description
        One line for the README table and ``--help``.
    """

    name: str
    dtype: Dtype
    required: bool = True
    allowed: tuple[str, ...] | None = None
    unique: bool = False
    default: object = None
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Schema:
    """The declared shape of one layer kind."""

    kind: str
    geometry: tuple[str, ...] | None
    fields: tuple[Field, ...]
    description: str = ""
    id_field: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Column names in their normalised order (geometry last)."""
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        """Return the field called ``name``; raise ``KeyError`` if it is not declared."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.kind} has no field {name!r}")


ISO3 = "ISO 3166-1 alpha-3 country code, e.g. FRA for France"

PLACES = Schema(
    kind="places",
    geometry=("Point",),
    id_field="place_id",
    description="Where people are recruited (source), moved through (transit) or exploited"
    " (destination).",
    fields=(
        Field("place_id", "str", unique=True, description="Unique identifier"),
        Field("name", "str", description="Place name"),
        Field("country", "str", description=ISO3),
        Field(
            "role",
            "list[str]",
            allowed=ROLES,
            description="One or more of source, transit, destination (';'-separated)",
        ),
        Field("place_type", "str", allowed=PLACE_TYPES, description="Kind of place"),
        Field("admin1", "str", required=False, default="", description="Province/state"),
        Field(
            "population",
            "int",
            required=False,
            default=0,
            min=0,
            description="Population (towns), 0 if unknown",
        ),
    ),
)

ROADS = Schema(
    kind="roads",
    geometry=("LineString", "MultiLineString"),
    id_field="road_id",
    description="Road, ferry and rail links the route graph is built from.",
    fields=(
        Field("road_id", "str", unique=True, description="Unique identifier"),
        Field("name", "str", required=False, default="", description="Road name"),
        Field("ref", "str", required=False, default="", description="Route number, e.g. AH1"),
        Field("road_class", "str", allowed=ROAD_CLASSES, description="Functional class"),
        Field(
            "maxspeed_kph",
            "float",
            required=False,
            default=None,
            min=1,
            max=200,
            description="Speed limit in km/h; default by class when missing",
        ),
        Field("oneway", "bool", required=False, default=False, description="One-way link"),
        Field(
            "bridge",
            "bool",
            required=False,
            default=False,
            description="Grade-separated: does not join roads it crosses",
        ),
        Field(
            "schematic",
            "bool",
            required=False,
            default=False,
            description="Geometry drawn through real towns, not surveyed",
        ),
    ),
)

BORDERS = Schema(
    kind="borders",
    geometry=("Polygon", "MultiPolygon"),
    id_field="country",
    description="Country (or province) polygons; land boundaries are derived from them.",
    fields=(
        Field("country", "str", unique=True, description=ISO3),
        Field("name", "str", description="Country name"),
    ),
)

CROSSINGS = Schema(
    kind="crossings",
    geometry=("Point",),
    id_field="crossing_id",
    description="Border crossing points, official or informal.",
    fields=(
        Field("crossing_id", "str", unique=True, description="Unique identifier"),
        Field("name", "str", description="Crossing name, e.g. Mae Sot-Myawaddy"),
        Field("countries", "list[str]", description="The two ISO3 codes (';'-separated)"),
        Field("status", "str", allowed=CROSSING_STATUS, description="official or informal"),
        Field("hours", "str", required=False, default="", description="Opening hours"),
        Field(
            "modes",
            "list[str]",
            required=False,
            default="road",
            allowed=MODES,
            description="Transport modes allowed (';'-separated)",
        ),
    ),
)

FLOWS = Schema(
    kind="flows",
    geometry=None,
    description="Aggregated movements between places or countries; counts, never persons.",
    fields=(
        Field("origin", "str", description="place_id, ISO3 or admin-1 code"),
        Field("destination", "str", description="place_id, ISO3 or admin-1 code"),
        Field(
            "via",
            "list[str]",
            required=False,
            default="",
            description="Ordered transit place_ids (';'-separated)",
        ),
        Field("year", "int", min=1990, max=2100, description="Year of the movement"),
        Field("count", "int", min=0, description="Number of people (aggregated)"),
        Field("exploitation", "str", allowed=EXPLOITATION, description="Form of exploitation"),
        Field(
            "sector",
            "str",
            required=False,
            default="unknown",
            allowed=SECTORS,
            description="Sector of exploitation",
        ),
        Field("sex", "str", allowed=SEXES, description="Sex"),
        Field("age_group", "str", allowed=AGE_GROUPS, description="child (<18), adult"),
        Field(
            "age_band",
            "str",
            required=False,
            default="",
            description="Raw age band as given, e.g. 9--17",
        ),
        Field("mode", "str", required=False, default="unknown", allowed=MODES, description="Mode"),
        Field("source", "str", required=False, default="", description="Dataset it came from"),
        Field(
            "synthetic",
            "bool",
            required=False,
            default=False,
            description="True for made-up demo counts",
        ),
    ),
)

INCIDENTS = Schema(
    kind="incidents",
    geometry=("Point",),
    description="Aggregated events (interceptions, rescues, arrests, reports), never persons.",
    fields=(
        Field("date", "date", description="ISO date YYYY-MM-DD"),
        Field("kind", "str", allowed=INCIDENT_KINDS, description="Event kind"),
        Field("count", "int", min=0, description="Number of people concerned"),
        Field("source", "str", required=False, default="", description="Dataset"),
        Field("synthetic", "bool", required=False, default=False, description="Made-up demo"),
    ),
)

SITES = Schema(
    kind="sites",
    geometry=("Point",),
    id_field="site_id",
    description="Candidate checkpoint sites.",
    fields=(
        Field("site_id", "str", unique=True, description="Unique identifier"),
        Field("name", "str", description="Site name"),
        Field("site_type", "str", allowed=PLACE_TYPES, description="Kind of site"),
        Field("capacity", "int", required=False, default=1, min=0, description="Teams it holds"),
        Field("cost", "float", required=False, default=1.0, min=0, description="Cost per shift"),
        Field(
            "risk",
            "str",
            required=False,
            default="",
            allowed=(*RISK_LEVELS, ""),
            description="Field teams' grade: critical, high, medium, low",
        ),
        Field(
            "crossing_id",
            "str",
            required=False,
            default="",
            description="Crossing the site watches, if any",
        ),
    ),
)

SCHEMAS: dict[str, Schema] = {
    s.kind: s for s in (PLACES, ROADS, BORDERS, CROSSINGS, FLOWS, INCIDENTS, SITES)
}


def schema_for(kind: str) -> Schema:
    """Return the schema of a layer kind.

    Raises
    ------
    KeyError
        With the list of known kinds when ``kind`` is not one of them.
    """
    try:
        return SCHEMAS[kind]
    except KeyError:
        raise KeyError(
            f"unknown layer kind {kind!r}; use one of {', '.join(LAYER_KINDS)}"
        ) from None


#: Separator of list-valued fields (``role``, ``countries``, ``modes``, ``via``) in files.
LIST_SEPARATOR = ";"


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated list field into its stripped, non-empty items.

    Examples
    --------
    >>> split_list("source; transit")
    ['source', 'transit']
    >>> split_list("")
    []
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [item.strip() for item in str(value).split(LIST_SEPARATOR) if item.strip()]
