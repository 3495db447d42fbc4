"""Scale-out on Dask: a LocalCluster by default, or a real cluster's scheduler address.

geotraf never runs a job system of its own: when one process is not enough, the many-origin
shortest-path batches of :func:`geotraf.routing.assign` run as ``dask.distributed`` tasks
(the CSR graph is scattered once to every worker).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from geotraf.errors import GeotrafError

#: The value of ``--dask`` that starts a LocalCluster on this machine.
LOCAL = "local"


@contextmanager
def dask_client(
    address: str | None, *, n_workers: int | None = None, timeout_s: float = 10.0
) -> Iterator[Any]:
    """Yield a ``dask.distributed.Client``, or ``None`` when ``address`` is ``None``.

    Parameters
    ----------
    address
        ``None``: no Dask, work in this process. ``"local"``: start a
        ``LocalCluster`` (one worker process per core unless ``n_workers``) and close it
        afterwards. Anything else: the scheduler address of a running cluster, e.g.
        ``tcp://10.0.0.5:8786``.
    n_workers
        Worker processes of the LocalCluster.
    timeout_s
        How long to wait for a remote scheduler before giving up.

    Examples
    --------
    >>> with dask_client(None) as client:
    ...     client is None
    True
    """
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise GeotrafError("--dask needs dask.distributed: pip install 'geotraf[scale]'") from exc
    if address == LOCAL:
        with (
            LocalCluster(
                n_workers=n_workers, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(address, timeout=f"{timeout_s}s")
    except OSError as exc:
        raise GeotrafError(
            f"cannot reach the Dask scheduler at {address!r} ({exc}); start it with "
            "`dask scheduler`, or use --dask local"
        ) from exc
    with client:
        yield client
