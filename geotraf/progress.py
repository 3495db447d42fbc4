"""Progress bars for long work: a tqdm bar on a terminal, silence in pipes and logs."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Return True when stderr is a terminal, the only place a bar helps a reader.

    Examples
    --------
    >>> isinstance(enabled(), bool)
    True
    """
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def progress(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    desc: str | None = None,
    show: bool | None = None,
) -> Iterator[T]:
    """Iterate over ``iterable``, drawing a bar on stderr when it is a terminal.

    Parameters
    ----------
    iterable
        What to iterate over.
    total
        Number of items when ``iterable`` has no ``len``.
    desc
        Short label printed before the bar, e.g. ``"routing"``.
    show
        Force the bar on (True) or off (False); by default it is shown only when stderr is
        a terminal, so pipes, CI logs and ``--format json`` output stay clean.

    Examples
    --------
    >>> list(progress(range(3), show=False))
    [0, 1, 2]
    """
    from tqdm import tqdm

    visible = enabled() if show is None else show
    yield from tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=not visible,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )
