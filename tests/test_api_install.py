"""A core-only install (no ``dashboard`` extra) imports geotraf and says what serve needs.

The static half is ``tests/test_structure.py::test_the_core_never_imports_the_dashboard_stack``;
here a fresh interpreter runs with the dashboard's packages made unimportable (a meta-path
finder refuses them, as a venv without them would), so the real import machinery decides.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Run first in the child: every dashboard-only package is "not installed".
BLOCK = """
import importlib.abc, sys
BLOCKED = {"dash", "flask", "flask_login", "flask_compress", "plotly", "kaleido", "fpdf",
           "babel", "diskcache", "multiprocess", "psutil", "gunicorn", "werkzeug"}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Refuse())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=ROOT
    )


def test_import_geotraf_and_a_whole_analysis_need_no_dashboard_package() -> None:
    out = _run(
        "import geotraf, layers\n"
        "region = geotraf.load_region('mekong')\n"
        "G = geotraf.build_route_graph(region)\n"
        "result = geotraf.assign(G, region)\n"
        "print(len(geotraf.corridors(G, result)) > 0)\n"
        "import geotraf.cli, geotraf.commands, geotraf.export, geotraf.scenarios\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dash'))\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["True", "[]"]


def test_geotraf_serve_without_the_extra_says_what_to_install() -> None:
    out = _run("from geotraf.cli import main\nraise SystemExit(main(['serve']))\n")
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "pip install 'geotraf[dashboard]'" in out.stderr and "'dash'" in out.stderr


def test_the_core_dependencies_leave_the_web_stack_to_the_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    for web in ("dash", "flask", "gunicorn", "kaleido", "fpdf2", "plotly", "diskcache"):
        assert web not in core, web
    extras = project["optional-dependencies"]
    assert any(d.startswith("dash[diskcache]") for d in extras["dashboard"])
    assert "dashboard" in extras["dev"][0]  # make demo / make test install everything
