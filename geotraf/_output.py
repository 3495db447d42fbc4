"""What geotraf's commands print: the one JSON layout of every ``--format json`` output."""

from __future__ import annotations

import json
import sys
from typing import Any


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON (UTF-8 kept as is; dates and paths as text).

    Examples
    --------
    >>> print_json({"region": "mekong", "place": "Mae Sot"})
    {
      "region": "mekong",
      "place": "Mae Sot"
    }
    """
    json.dump(obj, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
