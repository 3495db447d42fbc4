"""The root of geotraf's exception hierarchy and the layer-validation error.

They live here, upstream of :mod:`geotraf`, because ``layers`` must not import
``geotraf`` (imports point downstream-to-upstream); :mod:`geotraf.errors` re-exports them
beside the analysis errors, so users catch everything from one place.

Examples
--------
Every problem names the file, row, column and value, and says what to do; the error is a
``ValueError`` too, so a notebook's ordinary ``except ValueError`` catches it:

>>> err = LayerError([Problem("places.csv", 4, "country", "Laos",
...                           "not an ISO alpha-3 code", "write LAO")], kind="places")
>>> print(err)
1 problem in places layer places.csv:
  - places.csv, row 4, column 'country': not an ISO alpha-3 code (value 'Laos'). Fix: write LAO
>>> isinstance(err, ValueError), err.problems[0].to_dict()["fix"]
(True, 'write LAO')
>>> print(file_error("roads.csv", "the file is empty", "export the layer again"))
1 problem roads.csv:
  - roads.csv: the file is empty. Fix: export the layer again
"""

from __future__ import annotations

from dataclasses import dataclass

#: How many characters of a bad value a message shows before cutting it.
MAX_VALUE_SHOWN = 60

#: How many problems a LayerError message lists before it just counts the rest.
MAX_LISTED = 20


class GeotrafError(Exception):
    """Base class of every error geotraf raises on purpose (a user can act on it)."""


@dataclass(frozen=True)
class Problem:
    """One finding of layer validation: where it is, what is wrong, what to do.

    ``row`` is the 1-based line number for CSV files (header = line 1) or the feature id
    for other formats; ``None`` when the problem concerns the whole file or column.
    """

    file: str
    row: int | str | None
    column: str | None
    value: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = [_escape(self.file)]
        if self.row is not None:
            where.append(f"row {_escape(str(self.row))}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        value = f" (value {_shown(self.value)})" if self.value is not None else ""
        return f"{', '.join(where)}: {_escape(self.message)}{value}. Fix: {_escape(self.fix)}"

    def to_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-ready dict (``geotraf validate --format json``)."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
        }


def _escape(text: str) -> str:
    """Escape control characters so a message never writes them to a terminal or log."""
    if text.isprintable():
        return text
    return repr(text)[1:-1]


def _shown(value: str) -> str:
    """Quote a bad value with ``repr`` (control characters escaped), cut when long."""
    if len(value) > MAX_VALUE_SHOWN:
        return f"{value[:MAX_VALUE_SHOWN]!r}... ({len(value)} characters)"
    return repr(value)


class LayerError(GeotrafError, ValueError):
    """A layer file cannot be read or does not match its schema.

    Attributes
    ----------
    problems
        Every finding, in file order; the message lists the first :data:`MAX_LISTED`.
    """

    def __init__(self, problems: list[Problem], *, kind: str | None = None) -> None:
        self.problems = list(problems)
        self.kind = kind
        super().__init__(self._render())

    def __reduce__(self) -> tuple[object, ...]:
        # Pickled whole (problems and kind), e.g. from a child process that validated
        # an upload; the default would rebuild it from the rendered message alone.
        return (_layer_error, (self.problems, self.kind))

    def _render(self) -> str:
        n = len(self.problems)
        files = sorted({p.file for p in self.problems})
        head = f"{n} problem{'s' if n != 1 else ''}"
        if self.kind:
            head += f" in {self.kind} layer"
        if files:
            head += f" {', '.join(files)}"
        lines = [head + ":"]
        lines += [f"  - {p}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  ... and {n - MAX_LISTED} more problems")
        return "\n".join(lines)


def _layer_error(problems: list[Problem], kind: str | None) -> LayerError:
    return LayerError(problems, kind=kind)


def file_error(source: str, message: str, fix: str, *, kind: str | None = None) -> LayerError:
    """Return a LayerError for one problem with a whole file (no row, column or value)."""
    return LayerError([Problem(source, None, None, None, message, fix)], kind=kind)
