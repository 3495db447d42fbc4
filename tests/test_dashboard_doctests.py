"""The Examples sections of the dashboard's modules run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "dashboard.aggregates",
    "dashboard.app",
    "dashboard.arcs",
    "dashboard.audit",
    "dashboard.auth",
    "dashboard.basemap",
    "dashboard.components",
    "dashboard.corridors_state",
    "dashboard.corridors_view",
    "dashboard.corridors_whatif",
    "dashboard.figures",
    "dashboard.i18n",
    "dashboard.offline",
    "dashboard.overview_model",
    "dashboard.roles",
    "dashboard.server",
    "dashboard.viewcache",
    "dashboard.warmup",
    "dashboard.years",
)


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
