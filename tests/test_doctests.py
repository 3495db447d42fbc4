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


#: Public modules without an Examples section: CLI glue, tested by running the commands
#: (tests/test_graph.py, test_layers.py, test_commands_hotspots.py, …). A new public
#: module must come with examples: this set may only shrink.
WITHOUT_EXAMPLES = {
    "geotraf.cli",
    "geotraf.commands",
}


def test_public_modules_have_examples() -> None:
    # A module with a public API shows how to call it (numpy-style Examples sections).
    finder = doctest.DocTestFinder()
    public = [n for n in MODULES if not any(p.startswith("_") for p in n.split("."))]
    lacking = {
        name
        for name in public
        if not any(t.examples for t in finder.find(importlib.import_module(name)))
    }
    assert lacking <= WITHOUT_EXAMPLES, sorted(lacking - WITHOUT_EXAMPLES)
