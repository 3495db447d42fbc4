"""Benchmark the dashboard's first page load in headless Debian chromium (Playwright).

Run: ``.venv/bin/python benchmarks/bench_first_load.py [--tries 5] [--variants plain,compressed]``.
Not a test: it prints the figures recorded in ``benchmarks/README.md`` (target: login to
map drawn ≤ 2 s, issue 5).

What is measured
----------------
The dashboard on the bundled Mekong region is served by Werkzeug (threaded) in this
process on a free localhost port, exactly as the browser tests serve it; its server
caches are warmed by one untimed visit per variant. Each try opens a **fresh browser
context** (empty HTTP cache, no cookies: a cold page; the chromium process is shared, as
a person's browser would be) and measures:

(a) ``overview``: login submitted (Enter in the password field) → Overview map drawn
    (MapLibre ``loaded()`` with the choropleth data), as ``donor``;
(b) ``open``: the same visit timed from opening the address → login form → typing →
    Overview map drawn (typing is Playwright's, i.e. instant);
(c) ``corridors``: ``/corridors`` opened, login submitted → Corridors map drawn with its
    corridor lines, as ``analyst``;
(d) ``planning``: ``/planning`` opened, login submitted → Planning page ready (the
    "Run plan" button enabled and the map graph mounted), as ``planner``.

Before pressing Enter the script waits for plotly.js to be loaded, as it is by the time a
person has typed (the login form mounts a hidden graph for that). For every page it also
reports the requests made and the bytes transferred (sum of the encoded response bodies
and headers, after the page has gone network-idle).

Variants (``--variants``) are server settings measured side by side in one run, taking
turns within every try: ``plain`` (responses uncompressed) and ``compressed``
(``create_app(compress=True)``, the default: Flask-Compress with zstd, brotli or gzip,
whichever the browser accepts). ``--throttle-mbit`` emulates a slower link through the
Chrome DevTools protocol (localhost is far faster than any real network).

Any request to a host other than localhost is aborted and counted; the script exits
with status 1 when there was one.
"""

from __future__ import annotations

import argparse
import logging
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.offline import CHROMIUM, CHROMIUM_OFFLINE_ARGS, is_local_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = list(CHROMIUM_OFFLINE_ARGS)
TARGET_S = 2.0
VIEWPORT = {"width": 1440, "height": 1000}
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("overview", "(a) login submitted → Overview map drawn (donor)"),
    ("open", "(b) address opened, cold browser → Overview map drawn"),
    ("corridors", "(c) login submitted → Corridors map drawn (analyst)"),
    ("planning", "(d) login submitted → Planning page ready (planner)"),
)

MAP_DRAWN_JS = """([id, group]) => {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    return !!(gd && gd.data && gd.data.length > 0
        && (!group || gd.data.some(t => t.legendgroup === group))
        && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
        && gd._fullLayout.map._subplot.map.loaded());
}"""
PLANNING_READY_JS = """() => {
    const run = document.querySelector('#planning-run');
    return !!(run && !run.disabled && document.querySelector('#planning-map .js-plotly-plot'));
}"""


@dataclass
class Traffic:
    """The requests of one browser context: all of them, and those that left localhost."""

    requests: list[Any] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        """Let local requests through; abort and record any other."""
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def transferred(self) -> tuple[int, int]:
        """Return (requests finished, bytes received: encoded bodies plus headers)."""
        total = 0
        for request in self.requests:
            sizes = request.sizes()
            total += max(sizes["responseBodySize"], 0) + max(sizes["responseHeadersSize"], 0)
        return len(self.requests), total


@dataclass
class Sample:
    """One measured page load."""

    seconds: float
    requests: int
    bytes: int


@contextmanager
def serve(*, compress: bool) -> Iterator[str]:
    """Serve the dashboard on the Mekong region on a free localhost port; yield its URL."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.auth import DEMO_ACCOUNTS, write_accounts

    with tempfile.TemporaryDirectory(prefix="geotraf-bench-") as tmp:
        users = write_accounts(Path(tmp) / "users.toml", DEMO_ACCOUNTS)
        app = create_app(
            region="mekong", users_file=users, secret_key="bench", preload=True, compress=compress
        )
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)


def _log_in(page: Any, username: str, password: str) -> float:
    """Type the credentials once plotly.js is loaded; press Enter; return the clock then."""
    page.wait_for_selector("#username")
    page.wait_for_function("() => typeof window.Plotly !== 'undefined'")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    start = time.perf_counter()
    page.keyboard.press("Enter")
    return start


def visit(
    browser: Any,
    url: str,
    scenario: str,
    *,
    throttle_mbit: float,
    timeout_s: float,
    outside: list[str],
) -> dict[str, Sample]:
    """Open a fresh context, log in for ``scenario`` and return the timed samples."""
    path, user, wait = {
        "overview": (
            "/",
            "donor",
            lambda p: p.wait_for_function(MAP_DRAWN_JS, arg=["overview-map", ""]),
        ),
        "corridors": (
            "/corridors",
            "analyst",
            lambda p: p.wait_for_function(MAP_DRAWN_JS, arg=["corridors-map", "corridors"]),
        ),
        "planning": ("/planning", "planner", lambda p: p.wait_for_function(PLANNING_READY_JS)),
    }[scenario]
    traffic = Traffic()
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.route("**/*", traffic.route)
    context.on("requestfinished", lambda request: traffic.requests.append(request))
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        if throttle_mbit > 0:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            rate = throttle_mbit * 1e6 / 8
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 20,
                    "downloadThroughput": rate,
                    "uploadThroughput": rate,
                },
            )
        opened = time.perf_counter()
        page.goto(f"{url}{path}")
        submitted = _log_in(page, user, f"{user}-demo")
        wait(page)
        done = time.perf_counter()
        page.wait_for_load_state("networkidle")
        n, size = traffic.transferred()
    finally:
        context.close()
        outside.extend(traffic.outside)
    samples = {scenario: Sample(done - submitted, n, size)}
    if scenario == "overview":
        samples["open"] = Sample(done - opened, n, size)
    return samples


def measure(
    browser: Any,
    urls: dict[str, str],
    *,
    tries: int,
    throttle_mbit: float,
    timeout_s: float,
    outside: list[str],
) -> dict[str, dict[str, list[Sample]]]:
    """Warm each server with one untimed visit per page, then time ``tries`` of each.

    The variants take turns within every try, so a busy machine slows them alike.
    """
    pages = ("overview", "corridors", "planning")
    results: dict[str, dict[str, list[Sample]]] = {
        v: {name: [] for name, _ in SCENARIOS} for v in urls
    }
    for url in urls.values():  # server caches (region, assignment, basemap) warm
        for scenario in pages:
            visit(browser, url, scenario, throttle_mbit=0, timeout_s=120, outside=outside)
    for _ in range(tries):
        for scenario in pages:
            for variant, url in urls.items():
                got = visit(
                    browser,
                    url,
                    scenario,
                    throttle_mbit=throttle_mbit,
                    timeout_s=timeout_s,
                    outside=outside,
                )
                for name, sample in got.items():
                    results[variant][name].append(sample)
    return results


def _row(label: str, cells: list[str]) -> str:
    return f"{label:<54}" + "".join(f"{c:>34}" for c in cells)


def report(results: dict[str, dict[str, list[Sample]]], *, tries: int) -> str:
    """Return the side-by-side table: p50 / min / max seconds, requests and bytes per page."""
    variants = list(results)
    lines = [
        _row("", [f"{v}: p50 / min / max s" for v in variants]),
    ]
    for name, label in SCENARIOS:
        cells = []
        for v in variants:
            s = [x.seconds for x in results[v][name]]
            mark = "ok" if statistics.median(s) <= TARGET_S else "OVER"
            cells.append(f"{statistics.median(s):.2f} / {min(s):.2f} / {max(s):.2f} {mark}")
        lines.append(_row(label, cells))
    lines.append("")
    lines.append(_row("per page (median)", [f"{v}: requests, KB" for v in variants]))
    for name, label in SCENARIOS:
        if name == "open":
            continue
        cells = []
        for v in variants:
            n = statistics.median(x.requests for x in results[v][name])
            kb = statistics.median(x.bytes for x in results[v][name]) / 1024
            cells.append(f"{n:.0f} req, {kb:,.0f} KB")
        lines.append(_row(label.split(" → ")[-1], cells))
    lines.append("")
    lines.append(f"target: ≤ {TARGET_S:.0f} s login → map drawn; {tries} fresh contexts per page")
    return "\n".join(lines)


def _machine() -> str:
    import os

    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 1 when a request left localhost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--tries", type=int, default=5, help="fresh contexts per page (5)")
    parser.add_argument(
        "--variants",
        default="plain",
        help="comma-separated server variants side by side: plain, compressed (default plain)",
    )
    parser.add_argument(
        "--throttle-mbit",
        type=float,
        default=0.0,
        help="emulate a link of this many Mbit/s with 20 ms latency (default: none)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per page (60)")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(variants) - {"plain", "compressed"}
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; choose from plain, compressed")
    if not CHROMIUM.exists():
        print("Debian chromium (/usr/bin/chromium) is missing; run scripts/setup.sh")
        return 2
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    print(f"machine: {_machine()}; chromium {CHROMIUM}")
    if args.throttle_mbit:
        print(f"network: emulated {args.throttle_mbit:g} Mbit/s, 20 ms latency")
    outside: list[str] = []
    with sync_playwright() as pw, ExitStack() as servers:
        urls = {v: servers.enter_context(serve(compress=v == "compressed")) for v in variants}
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        print(f"chromium version {browser.version}")
        try:
            results = measure(
                browser,
                urls,
                tries=args.tries,
                throttle_mbit=args.throttle_mbit,
                timeout_s=args.timeout,
                outside=outside,
            )
        finally:
            browser.close()
    for variant in variants:
        _print_raw(variant, results[variant])
    print()
    print(report(results, tries=args.tries))
    if outside:
        print(f"FAIL: {len(outside)} requests left localhost: {sorted(set(outside))}")
        return 1
    print("requests to other hosts: 0")
    return 0


def _print_raw(variant: str, results: dict[str, list[Sample]]) -> None:
    for name, samples in results.items():
        print(f"{variant:>6} {name:<10} " + " ".join(f"{s.seconds:.2f}" for s in samples))


if __name__ == "__main__":
    raise SystemExit(main())
