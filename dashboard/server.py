"""``geotraf demo``, ``geotraf serve`` and ``geotraf users``: start the dashboard, make accounts.

``serve`` runs gunicorn (``dashboard.wsgi:server``) in its own process with N worker
processes, threaded so that a page's parallel callback requests do not queue;
``--debug`` runs Flask's development server with the reloader instead. ``demo`` writes
the demo accounts when missing, prints them and the address, and serves the bundled
Mekong region the same way.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dashboard.app import default_users_file
from dashboard.auth import DEMO_ACCOUNTS, write_accounts
from geotraf.datasets import resolve_region

#: Threads per gunicorn worker: Dash fires several callbacks at once on page load, and a
#: login's scrypt check (0.1-0.2 s, without the GIL) holds a thread; with 4, a burst of
#: logins left callbacks queued for a thread (bench_load: p99 1.5 s against 0.2 s with 8).
THREADS = 8
#: Environment variable that sets another number of threads per worker.
ENV_THREADS = "GEOTRAF_SERVE_THREADS"
#: gunicorn's default access line, then the microseconds the request took.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def ensure_demo_accounts(path: Path) -> bool:
    """Write the demo accounts file unless it exists; return True when it was created."""
    from geotraf.errors import GeotrafError

    if path.exists():
        return False
    try:
        write_accounts(path, DEMO_ACCOUNTS)
    except GeotrafError:  # another process created it first: theirs is complete
        return False
    return True


def demo_accounts_text(url: str, users_file: Path) -> str:
    """Return what ``geotraf demo`` prints: the address and the demo accounts.

    Examples
    --------
    >>> print(demo_accounts_text("http://127.0.0.1:8050/", Path("instance/users.toml")))
    ... # doctest: +ELLIPSIS
    geotraf demo: open http://127.0.0.1:8050/ ...
    """
    lines = [
        f"geotraf demo: open {url} in a browser (offline; Ctrl-C stops it)",
        "SYNTHETIC DEMO DATA: the counts are invented; the geography is real.",
        f"demo accounts ({users_file}):",
        f"  {'user':<10} {'role':<9} password",
    ]
    lines += [f"  {name:<10} {role:<9} {pw}" for name, (role, pw) in DEMO_ACCOUNTS.items()]
    return "\n".join(lines)


def gunicorn_options(
    *, host: str, port: int, workers: int, threads: int | None = None
) -> dict[str, object]:
    """Return the gunicorn settings of ``geotraf serve``.

    ``threads`` per worker defaults to ``$GEOTRAF_SERVE_THREADS``, else :data:`THREADS`.

    Examples
    --------
    >>> gunicorn_options(host="127.0.0.1", port=8050, workers=2)["bind"]
    '127.0.0.1:8050'
    >>> gunicorn_options(host="127.0.0.1", port=8050, workers=2, threads=8)["threads"]
    8
    """
    if threads is None:
        given = os.environ.get(ENV_THREADS, "")
        threads = int(given) if given.isdigit() else THREADS
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": "gthread",
        "accesslog": "-",
        # gunicorn's usual line plus the time spent answering, in microseconds (%(D)s):
        # benchmarks/bench_load.py reads it to tell server time from time in the queue.
        "access_log_format": ACCESS_LOG_FORMAT,
        "timeout": 300,
        "graceful_timeout": 10,
        # A browser (or a proxy) reuses its connection between callbacks; closing idle
        # ones after gunicorn's default 2 s made clients race a closing socket under load.
        "keepalive": 30,
        # No control socket in the home folder, shared by every instance of the user.
        "control_socket_disable": True,
    }


def _gunicorn(*, region: str, users: Path, host: str, port: int, workers: int) -> int:
    """Run gunicorn's arbiter in this process, so stopping ``geotraf`` stops the workers.

    (Started as a child process, a killed ``geotraf serve`` left gunicorn answering.) The
    workers load :mod:`dashboard.wsgi`, configured from the environment set here. The
    umask makes everything the server writes (audit log, caches, uploads) private.
    """
    from gunicorn.app.base import BaseApplication

    os.environ.update({"GEOTRAF_REGION": region, "GEOTRAF_USERS": str(users.resolve())})
    # The address the workers warm the Overview's answers for (they hold absolute URLs).
    os.environ.setdefault("GEOTRAF_URL", f"http://{host}:{port}/")
    os.environ.setdefault("GEOTRAF_INSTANCE", str(users.resolve().parent))
    os.umask(0o077)
    options = gunicorn_options(host=host, port=port, workers=workers)

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            from dashboard.wsgi import server

            return server

    try:
        _Server().run()
    except KeyboardInterrupt:
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """``geotraf demo``: demo accounts, printed, then the dashboard on the Mekong region."""
    users = default_users_file()
    ensure_demo_accounts(users)
    resolve_region("mekong")  # fail now, with a clear message, if the data is missing
    url = f"http://{args.host}:{args.port}/"
    print(demo_accounts_text(url, users), flush=True)
    return _gunicorn(region="mekong", users=users, host=args.host, port=args.port, workers=2)


def run_serve(args: argparse.Namespace) -> int:
    """``geotraf serve``: gunicorn with ``--workers N``, or Flask's server with ``--debug``."""
    from geotraf.errors import GeotrafError

    users = default_users_file()
    if not users.exists():
        raise GeotrafError(
            f"accounts file {users} not found; create it with `geotraf users` "
            "(or set GEOTRAF_INSTANCE to the folder that holds users.toml)"
        )
    resolve_region(args.region)
    print(f"geotraf serve: http://{args.host}:{args.port}/ (region {args.region})", flush=True)
    if args.debug:
        from dashboard.app import create_app

        app = create_app(region=args.region, users_file=users, preload=True)
        app.run(host=args.host, port=args.port, debug=True)
        return 0
    return _gunicorn(
        region=str(args.region), users=users, host=args.host, port=args.port, workers=args.workers
    )


def run_users(args: argparse.Namespace) -> int:
    """``geotraf users``: write the demo accounts file (hashed passwords)."""
    path = Path(args.file) if args.file else default_users_file()
    write_accounts(path, DEMO_ACCOUNTS, force=bool(args.force))
    print(f"wrote {len(DEMO_ACCOUNTS)} accounts to {path}:")
    for name, (role, pw) in DEMO_ACCOUNTS.items():
        print(f"  {name:<10} {role:<9} {pw}")
    return 0
