"""Layer uploads: validate a user's file and install it in *their own* workspace region.

The bundled region is never written to: every upload lands under
``<workspace>/<user>/region/`` through :func:`layers.import_layer`, which validates the
whole file first and reports every problem (file, row, column, value, what to do).

Before anything is parsed, an upload must be a layer file type (:data:`ALLOWED_TYPES`),
at most :data:`MAX_BYTES` (checked on the encoded size, before decoding), fit in the
user's quota (:data:`QUOTA_BYTES` for everything under ``<workspace>/<user>``) and hold at
most :data:`MAX_ROWS` rows or features, counted from the file's metadata (GeoParquet,
GeoPackage) or its line count (CSV) — a few kilobytes of compressed GeoParquet can hold
millions of rows. The uploaded copy is deleted once it is installed or refused.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dashboard.bounded import LimitError, run_bounded
from layers._formats import OSM_ENDINGS, is_osm
from layers.errors import LayerError, Problem
from layers.schema import LAYER_KINDS

#: Upload size limit (bytes), below Flask's request limit.
MAX_BYTES = 32 * 1024 * 1024
#: Most rows (CSV) or features (spatial files) an upload may hold.
MAX_ROWS = 200_000
#: Most bytes a user's workspace (their region and pending uploads) may hold.
QUOTA_BYTES = 256 * 1024 * 1024
#: File types a layer may be uploaded as (lower-case suffixes).
ALLOWED_TYPES: tuple[str, ...] = (
    ".csv",
    ".gpkg",
    ".geojson",
    ".json",
    ".parquet",
    ".geoparquet",
    *OSM_ENDINGS,
)
#: Seconds an upload's validation may take (it runs in a child process, see
#: :mod:`dashboard.bounded`, with its memory capped too).
UPLOAD_SECONDS = 60.0
_LIMIT_MESSAGES = {
    "time": "{name} took too long to read (over a minute): nothing was installed; "
    "upload a smaller extract or split the file",
    "memory": "{name} needs more memory to read than an upload may use: nothing was "
    "installed; upload a smaller extract or split the file",
    "crash": "{name} could not be read: nothing was installed; check the file opens in "
    "a GIS program, then upload it again",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadReport:
    """What happened to an upload: installed (``path``) or rejected (``problems``)."""

    ok: bool
    message: str
    path: str = ""
    problems: list[dict[str, object]] = field(default_factory=list)


def safe_name(name: str, *, default: str = "upload") -> str:
    """Return a file or folder name with no path parts and only safe characters.

    Examples
    --------
    >>> safe_name("../../etc/passwd"), safe_name("My towns (v2).csv"), safe_name("..")
    ('passwd', 'My_towns_v2_.csv', 'upload')
    """
    base = Path(str(name).replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip("._") if base not in {".", ".."} else ""
    if not cleaned:
        return default
    return cleaned[:120] if "." not in cleaned else cleaned[-120:]


def user_region(workspace: str | Path, user: str) -> Path:
    """Return the folder of a user's own region inside the workspace.

    A user name that is already a safe folder name is used as it is; any other gets a
    folder named from its hash, starting with ``_`` (which no safe name does), so two
    accounts never share a workspace (``ann`` and ``ann_`` would both clean to ``ann``).

    Examples
    --------
    >>> user_region("/ws", "analyst").as_posix()
    '/ws/analyst/region'
    >>> user_region("/ws", "ann_") != user_region("/ws", "ann")
    True
    """
    folder = safe_name(user, default="")
    if folder != user:
        folder = "_" + hashlib.sha256(user.encode("utf-8")).hexdigest()[:32]
    return Path(workspace) / folder / "region"


def install_upload(
    contents: str,
    filename: str,
    *,
    kind: str,
    workspace: str | Path,
    user: str,
    bundled: str | Path,
    quota_bytes: int = QUOTA_BYTES,
    max_rows: int = MAX_ROWS,
    seconds: float = UPLOAD_SECONDS,
) -> UploadReport:
    """Decode a ``dcc.Upload`` payload, validate it as ``kind`` and install it.

    Parameters
    ----------
    contents
        The ``data:<mime>;base64,<data>`` string ``dcc.Upload`` sends.
    filename
        The user's file name (only its extension and a cleaned stem are used).
    kind
        Layer kind, one of :data:`layers.schema.LAYER_KINDS`.
    workspace, user
        The upload goes to ``<workspace>/<user>/region/<kind>.gpkg``.
    bundled
        The region the app serves: refused as a destination, whatever the settings.
    quota_bytes, max_rows
        The user's workspace quota and the row/feature limit.
    seconds
        How long validation may run; it runs in a child process whose memory is capped
        (:func:`dashboard.bounded.run_bounded`), so a file that parses slowly or asks for
        gigabytes costs that child, not the web worker.

    Returns
    -------
    UploadReport
        ``ok`` with the installed path, or every validation problem.
    """
    if kind not in LAYER_KINDS:
        return UploadReport(False, f"unknown layer kind {kind!r}; pick one of the list")
    suffix = Path(safe_name(filename)).suffix.lower()
    if not safe_name(filename).lower().endswith(ALLOWED_TYPES):
        return UploadReport(
            False,
            f"{safe_name(filename)}: file type {suffix or '(none)'} is not a layer file; "
            f"upload one of {', '.join(ALLOWED_TYPES)}",
        )
    encoded = contents.split(",", 1)[1] if "," in contents else ""
    too_big = f"the file is larger than {MAX_BYTES // 2**20} MB; upload a smaller extract"
    if len(encoded) * 3 // 4 > MAX_BYTES + 3:
        return UploadReport(False, too_big)
    try:
        payload = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        return UploadReport(False, "the upload could not be read; try the file again")
    if not payload:
        return UploadReport(False, "the upload could not be read; try the file again")
    if len(payload) > MAX_BYTES:
        return UploadReport(False, too_big)
    user_dir = user_region(workspace, user).parent
    used = _usage(user_dir)
    if used + len(payload) > quota_bytes:
        return UploadReport(
            False,
            f"your workspace quota of {quota_bytes // 2**20 or 1} MB is used up "
            f"({used // 2**20} MB held); ask an administrator to remove old layers",
        )
    dest_dir = user_region(workspace, user).resolve()
    bundled_path = Path(bundled).resolve()
    if dest_dir == bundled_path or dest_dir.is_relative_to(bundled_path):
        return UploadReport(
            False, "the workspace lies inside the bundled region; configure another workspace"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    incoming = dest_dir.parent / "uploads" / f"{stamp}-{safe_name(filename)}"
    incoming.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)
    try:
        rows = count_rows(incoming)
        if rows is not None and rows > max_rows:
            return UploadReport(
                False,
                f"{safe_name(filename)} has {rows:,} rows; the limit is {max_rows:,}: "
                "upload a smaller extract (or split the file)",
            )
        from layers import import_layer

        job = functools.partial(import_layer, kind=kind)
        dest = run_bounded(job, incoming, dest_dir, seconds=seconds)
    except LimitError as exc:
        return UploadReport(False, _LIMIT_MESSAGES[exc.what].format(name=safe_name(filename)))
    except LayerError as exc:
        problems = [_shown(p, filename) for p in exc.problems]
        return UploadReport(
            False,
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {filename}: "
            "nothing was installed",
            problems=problems,
        )
    finally:
        incoming.unlink(missing_ok=True)  # installed as a layer, or refused: not kept
    return UploadReport(
        True, f"{filename} is valid and was installed as your {kind} layer", path=str(dest)
    )


def count_rows(path: str | Path) -> int | None:
    """Count a layer file's rows without reading it whole; None when it cannot be told.

    GeoParquet: the row count in its footer. GeoPackage/GeoJSON: the feature count GDAL
    reports. CSV: lines after the header, counted in 1 MB chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("name,lon,lat\\nA,1,2\\nB,3,4\\n")
    >>> count_rows(p)
    2
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if is_osm(p):  # streamed way by way on import; the byte limit bounds it
        return None
    try:
        if suffix in (".parquet", ".geoparquet"):
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(p).metadata.num_rows)
        if suffix == ".csv":
            lines, last = 0, b"\n"
            with p.open("rb") as fh:
                while chunk := fh.read(2**20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
            return max(0, lines - 1 + (last != b"\n"))
        import pyogrio

        return int(pyogrio.read_info(p)["features"])
    except Exception:  # unreadable: import_layer reports it with the file and the fix
        return None


def _usage(folder: Path) -> int:
    """Bytes held under ``folder`` (0 when absent)."""
    if not folder.exists():
        return 0
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _shown(problem: Problem, filename: str) -> dict[str, object]:
    """A problem for the report, named after the user's file, not our temp copy."""
    row = problem.to_dict()
    row["file"] = filename
    return row
