"""The Examples sections of every ``geotraf`` and ``layers`` module run and hold.

The dashboard's have their own test (``test_dashboard_doctests.py``): they need Dash.
Examples run from the repository root, so ``data/mekong`` resolves as in the docs.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import geotraf
import layers

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = ["geotraf", "layers"]
    for package in (geotraf, layers):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    return sorted(names)


MODULES = _modules()


def test_every_module_is_found() -> None:
    on_disk = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for package in ("geotraf", "layers")
        for p in (ROOT / package).rglob("*.py")
        if p.name != "__init__.py"
    }
    assert on_disk <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_most_modules_have_examples() -> None:
    # A module with public functions shows how to call them (numpy-style Examples).
    finder = doctest.DocTestFinder()
    with_examples = [
        name
        for name in MODULES
        if any(t.examples for t in finder.find(importlib.import_module(name)))
    ]
    assert len(with_examples) >= 0.85 * len(MODULES), sorted(set(MODULES) - set(with_examples))
