"""The README is part of the product: its commands and schema table must stay true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geotraf.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _first_code_block(text: str) -> list[str]:
    block = re.search(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    assert block, "README has no code block"
    return [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_readme_starts_with_exactly_the_two_commands() -> None:
    commands = _first_code_block((ROOT / "README.md").read_text(encoding="utf-8"))
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command_then_lint_and_types() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "ruff check" in ci and "mypy" in ci
    assert "= 5" in ci  # pytest's "no tests collected" is a failure


def test_readme_schema_table_matches_the_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--format", "markdown"]) == 0
    table = capsys.readouterr().out.strip()
    assert table.startswith("| layer | column |")
    assert table in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "README's layer table is stale: paste the output of `geotraf layers --format markdown`"
    )
