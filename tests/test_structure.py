"""The project's shape: imports point one way and no module grows past one job.

Every ``import`` is parsed with :mod:`ast`, including the ones inside functions (a lazy
import still ties two modules together), so a cycle cannot hide behind laziness. Imports
under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("layers", "geotraf", "dashboard")
#: Most lines a module may have (one job per module).
MAX_LINES = 500
#: Folders below ROOT whose modules are the project's own (in upstream-to-downstream order).
LAYERED = ("data", "layers", "geotraf", "dashboard")
#: The one downstream import allowed: ``geotraf serve``/``demo``/``users`` start the
#: dashboard, lazily, from the command line (the CLI is the top of the stack).
ENTRY_POINTS = {("geotraf.cli", "dashboard.server")}
#: Imports only the ``dashboard`` extra installs; the core (layers, geotraf) never needs one.
DASHBOARD_ONLY = {
    "babel",
    "dash",
    "dashboard",
    "diskcache",
    "flask",
    "flask_compress",
    "flask_login",
    "fpdf",
    "gunicorn",
    "kaleido",
    "multiprocess",
    "plotly",
    "psutil",
}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Project modules that ``module`` imports anywhere (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(name: str) -> None:
        # The deepest project module the name points at: ``a.b.c`` → ``a.b`` if ``a.b.c``
        # is a function or class of module ``a.b``.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)

    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            for alias in node.names:
                add(f"{prefix}.{alias.name}")
    return found


def import_graph() -> nx.DiGraph:
    """The directed graph module → project module it imports."""
    modules = _modules()
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in modules.items():
        for target in _imports(path, module, known):
            # A package importing its own submodules (re-exports) is not a cycle of jobs.
            if target.startswith(module + "."):
                continue
            graph.add_edge(module, target)
    return graph


def test_the_import_graph_sees_lazy_imports() -> None:
    # geotraf.cli imports its commands inside functions: the parser must still see that.
    graph = import_graph()
    assert graph.has_edge("geotraf.cli", "geotraf.commands")
    assert graph.number_of_edges() > 100


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"modules that import each other (directly or round a loop): {cycles}"


def test_imports_point_upstream_only() -> None:
    rank = {name: i for i, name in enumerate(LAYERED)}
    wrong = [
        (a, b)
        for a, b in import_graph().edges
        if rank[a.split(".")[0]] < rank[b.split(".")[0]] and (a, b) not in ENTRY_POINTS
    ]
    assert not wrong, f"imports pointing downstream (layers → geotraf → dashboard): {wrong}"


def test_no_module_over_500_lines() -> None:
    sizes = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in _modules().items()
    }
    big = {m: n for m, n in sorted(sizes.items()) if n > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines (split them by job): {big}"


def _top_level_imports(path: Path) -> set[str]:
    """First component of every absolute import in ``path`` (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_never_imports_the_dashboard_stack() -> None:
    # `pip install geotraf` (no extra) must be enough for `import geotraf` and every
    # analysis: only the CLI's serve/demo/users path may reach the dashboard.
    offenders = {
        module: sorted(_top_level_imports(path) & DASHBOARD_ONLY)
        for module, path in _modules().items()
        if module.split(".")[0] in ("layers", "geotraf") and module != "geotraf.cli"
    }
    offenders = {m: names for m, names in offenders.items() if names}
    assert not offenders, f"core modules importing dashboard-only packages: {offenders}"
