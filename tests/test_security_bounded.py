"""Issue 11, item 9: an upload is validated in a child process with a time and memory bound,
so a file that parses slowly or asks for gigabytes costs that child, not the web worker."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from dashboard import uploads
from dashboard.bounded import LimitError, run_bounded
from layers.errors import LayerError, file_error

PLACES = (
    "place_id,name,country,role,place_type,lon,lat\nbkk,Bangkok,THA,destination,city,100.5,13.75\n"
)


def test_work_that_overruns_its_time_is_killed_and_reported() -> None:
    start = time.monotonic()
    with pytest.raises(LimitError) as caught:
        run_bounded(time.sleep, 30, seconds=1.0)
    assert caught.value.what == "time"
    assert time.monotonic() - start < 15  # the child was killed, not waited for


def test_work_that_asks_for_too_much_memory_fails_in_the_child() -> None:
    with pytest.raises(LimitError) as caught:
        run_bounded(bytearray, 3 * 2**30, memory_bytes=2**30)
    assert caught.value.what == "memory"


def test_a_layer_error_comes_back_whole_with_its_problems() -> None:
    with pytest.raises(LayerError) as caught:
        run_bounded(_raise_layer_error)
    assert caught.value.kind == "flows"
    assert [p.file for p in caught.value.problems] == ["flows.csv"]


def _raise_layer_error() -> None:
    raise file_error("flows.csv", "the file is empty", "export it again", kind="flows")


def test_an_upload_over_its_time_is_refused_clearly_and_nothing_is_kept(tmp_path: Path) -> None:
    contents = "data:text/csv;base64," + base64.b64encode(PLACES.encode()).decode()
    report = uploads.install_upload(
        contents,
        "places.csv",
        kind="places",
        workspace=tmp_path / "ws",
        user="analyst",
        bundled=tmp_path / "bundled",
        seconds=0.05,  # less than a child needs to start: the bound must answer
    )
    assert not report.ok
    assert "took too long to read" in report.message and "nothing was installed" in report.message
    assert str(tmp_path) not in report.message
    assert [p for p in (tmp_path / "ws").rglob("*") if p.is_file()] == []
    # The same file with the normal bound installs.
    ok = uploads.install_upload(
        contents,
        "places.csv",
        kind="places",
        workspace=tmp_path / "ws",
        user="analyst",
        bundled=tmp_path / "bundled",
    )
    assert ok.ok, ok.message
