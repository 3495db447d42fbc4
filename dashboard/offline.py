"""What "offline" means for geotraf's pages, in one place.

The app serves everything itself (plotly.js, topojson, basemap GeoJSON, fonts are system
fonts), so a browser showing it never needs another host. The browser tests, the
first-load benchmark and the PDF briefing all drive the same Debian chromium with the same
flags, and judge requests with the same rule.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

#: Debian's chromium, installed by scripts/setup.sh.
CHROMIUM = Path("/usr/bin/chromium")
#: Headless chromium flags: no GPU, no sandbox (root in CI), and none of chromium's own
#: background traffic (updates, sync, component downloads), which a closed network refuses.
CHROMIUM_OFFLINE_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
#: Hosts a page of the app may load from.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
#: In-page URL schemes that never reach the network.
IN_PAGE_SCHEMES = frozenset({"data", "blob", "about"})


def is_local_url(url: str) -> bool:
    """Return True when loading ``url`` stays on this machine.

    Examples
    --------
    >>> is_local_url("http://127.0.0.1:8050/_dash-layout"), is_local_url("data:image/png;base64,")
    (True, True)
    >>> is_local_url("https://cdn.example.org/plotly.js")
    False
    """
    parsed = urlparse(url)
    return parsed.scheme in IN_PAGE_SCHEMES or parsed.hostname in LOCAL_HOSTS
