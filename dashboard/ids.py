"""Every component id of the dashboard, defined once (pages and tests import them).

Ids are prefixed by their page so that pages never collide; the shell's ids start with
``shell-``. Dash's own page container ids (``_pages_location`` ...) are Dash's.
"""

from __future__ import annotations

# --- shell (every page) ---------------------------------------------------------------
SHELL_NAV = "shell-nav"
SHELL_USER = "shell-user"

# --- overview (donor and up) ------------------------------------------------------------
OVERVIEW_BANNER = "overview-banner"
OVERVIEW_YEARS = "overview-years"
OVERVIEW_EXPLOITATION = "overview-exploitation"
OVERVIEW_LEVEL = "overview-level"
OVERVIEW_SIDE = "overview-side"
OVERVIEW_ARCS = "overview-arcs"
OVERVIEW_HEADLINE = "overview-headline"
OVERVIEW_MAP = "overview-map"
OVERVIEW_TREND = "overview-trend"
OVERVIEW_NOTE = "overview-note"
OVERVIEW_URL_SYNC = "overview-url-sync"

# --- corridors (analyst and up; page owned by the corridors work) -----------------------
CORRIDORS_ROOT = "corridors-root"

# --- planning (planner; page owned by the planning work) --------------------------------
PLANNING_ROOT = "planning-root"
