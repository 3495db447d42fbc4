"""The docs the code points at exist, and the code cites nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("data", "layers", "geotraf", "dashboard", "scripts", "benchmarks", "tests")


def _texts() -> dict[Path, str]:
    out: dict[Path, str] = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md"} and path.is_file():
                out[path] = path.read_text(encoding="utf-8")
    return out


def test_code_cites_no_design_notes_outside_the_repository() -> None:
    outside = ("DESIGN" + ".md", "DOMAIN" + ".md", "STYLE" + ".md")
    cited = [
        str(p.relative_to(ROOT)) for p, text in _texts().items() if any(o in text for o in outside)
    ]
    assert not cited, f"cite docs/ instead: {cited}"


def test_every_docs_page_the_code_names_exists() -> None:
    named = set()
    for text in _texts().values():
        named |= set(re.findall(r"docs/([a-z_-]+\.md)", text))
    missing = sorted(n for n in named if not (ROOT / "docs" / n).is_file())
    assert not missing, f"the code points at docs pages that do not exist: {missing}"


def test_contracts_have_a_hotspots_section() -> None:
    text = (ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert re.search(r"^## Hotspots", text, flags=re.M)
