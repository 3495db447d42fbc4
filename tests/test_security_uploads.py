"""Issue 11, item 9: uploads are typed, size- and row-limited before reading, quota'd, and
what is refused is deleted."""

from __future__ import annotations

import base64
import io
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import uploads


def _payload(data: bytes, mime: str = "application/octet-stream") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _upload(tmp_path: Path, data: bytes, name: str, **kw: object) -> uploads.UploadReport:
    return uploads.install_upload(
        _payload(data),
        name,
        kind="places",
        workspace=tmp_path / "ws",
        user="analyst",
        bundled=tmp_path / "bundled",
        **kw,  # type: ignore[arg-type]
    )


def test_a_five_million_row_parquet_is_refused_before_it_is_read(tmp_path: Path) -> None:
    buf = io.BytesIO()
    table = pa.table(
        {"name": pa.array(["x"] * 5_000_000, type=pa.dictionary(pa.int8(), pa.string()))}
    )
    pq.write_table(table, buf, compression="zstd")
    data = buf.getvalue()
    del table
    assert len(data) < 2 * 2**20  # small on the wire, huge once read
    tracemalloc.start()
    report = _upload(tmp_path, data, "towns.parquet")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok
    assert "5,000,000 rows" in report.message and "towns.parquet" in report.message
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert _files(tmp_path / "ws") == []


@pytest.mark.parametrize("name", ["malware.exe", "towns.csv.exe", "page.html", "noext"])
def test_only_layer_file_types_are_accepted(tmp_path: Path, name: str) -> None:
    report = _upload(tmp_path, b"MZ\x90\x00binary", name)
    assert not report.ok and "type" in report.message.lower()
    assert _files(tmp_path / "ws") == []


def test_a_rejected_file_is_deleted(tmp_path: Path) -> None:
    report = _upload(tmp_path, b"name,lon,lat\nA,not-a-number,1\n", "towns.csv")
    assert not report.ok
    assert _files(tmp_path / "ws") == []


def test_an_oversized_upload_is_refused_before_decoding(tmp_path: Path) -> None:
    contents = "data:text/csv;base64," + "A" * (uploads.MAX_BYTES * 4 // 3 + 400)
    report = uploads.install_upload(
        contents,
        "big.csv",
        kind="places",
        workspace=tmp_path / "ws",
        user="analyst",
        bundled=tmp_path / "bundled",
    )
    assert not report.ok and "MB" in report.message
    assert _files(tmp_path / "ws") == []


def test_a_csv_with_too_many_rows_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"T{i},100.5,13.7\n" for i in range(uploads.MAX_ROWS + 1))
    report = _upload(tmp_path, ("name,lon,lat\n" + rows).encode(), "towns.csv")
    assert not report.ok and "rows" in report.message
    assert _files(tmp_path / "ws") == []


def test_each_user_has_a_quota(tmp_path: Path) -> None:
    user_dir = uploads.user_region(tmp_path / "ws", "analyst")
    user_dir.mkdir(parents=True)
    (user_dir / "roads.gpkg").write_bytes(b"\0" * 5000)
    report = _upload(tmp_path, b"name,lon,lat\nA,100,13\n", "towns.csv", quota_bytes=4096)
    assert not report.ok and "quota" in report.message.lower()
    assert sorted(p.name for p in _files(tmp_path / "ws")) == ["roads.gpkg"]


@pytest.mark.parametrize("other", ["ann_", "_ann", "__ann__", "ann."])
def test_two_accounts_never_share_a_workspace(tmp_path: Path, other: str) -> None:
    # Names that clean to the same folder name must still get folders of their own, or one
    # user would see (and overwrite) the other's uploaded data and its release.
    assert uploads.user_region(tmp_path, other) != uploads.user_region(tmp_path, "ann")
    assert uploads.user_region(tmp_path, other).parent.parent == tmp_path
