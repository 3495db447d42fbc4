"""Layer uploads: validate a user's file and install it in *their own* workspace region.

The bundled region is never written to: every upload lands under
``<workspace>/<user>/region/`` through :func:`layers.import_layer`, which validates the
whole file first and reports every problem (file, row, column, value, what to do).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from layers.errors import LayerError, Problem
from layers.schema import LAYER_KINDS

#: Upload size limit (bytes), below Flask's request limit.
MAX_BYTES = 32 * 1024 * 1024
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
    """Return the folder of a user's own region inside the workspace."""
    return Path(workspace) / safe_name(user, default="user") / "region"


def install_upload(
    contents: str,
    filename: str,
    *,
    kind: str,
    workspace: str | Path,
    user: str,
    bundled: str | Path,
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

    Returns
    -------
    UploadReport
        ``ok`` with the installed path, or every validation problem.
    """
    if kind not in LAYER_KINDS:
        return UploadReport(False, f"unknown layer kind {kind!r}; pick one of the list")
    try:
        payload = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        return UploadReport(False, "the upload could not be read; try the file again")
    if len(payload) > MAX_BYTES:
        return UploadReport(False, f"the file is larger than {MAX_BYTES // 2**20} MB")
    dest_dir = user_region(workspace, user).resolve()
    bundled_path = Path(bundled).resolve()
    if dest_dir == bundled_path or dest_dir.is_relative_to(bundled_path):
        return UploadReport(
            False, "the workspace lies inside the bundled region; configure another workspace"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    incoming = dest_dir.parent / "uploads" / f"{stamp}-{safe_name(filename)}"
    incoming.parent.mkdir(parents=True, exist_ok=True)
    incoming.write_bytes(payload)
    try:
        from layers import import_layer

        dest = import_layer(incoming, dest_dir, kind=kind)
    except LayerError as exc:
        problems = [_shown(p, filename) for p in exc.problems]
        return UploadReport(
            False,
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {filename}: "
            "nothing was installed",
            problems=problems,
        )
    return UploadReport(
        True, f"{filename} is valid and was installed as your {kind} layer", path=str(dest)
    )


def _shown(problem: Problem, filename: str) -> dict[str, object]:
    """A problem for the report, named after the user's file, not our temp copy."""
    row = problem.to_dict()
    row["file"] = filename
    return row
