"""Where releases live: one folder per release in the instance, and a ledger of them all.

A release is computed once per dataset version (its id hashes the data, the declared
keys and the configuration) and written atomically (a temporary folder renamed into
place) under ``<instance>/releases/<release_id>/``. Every worker process and every
restart reads the same folder, so all see the same noisy values: asking twice gives the
same answer. A lock file serialises the first computation between processes.

The ledger (``ledger.jsonl``, one JSON line per release) records the dataset hash, keys,
ε, δ and time of every release ever made here, so the cumulative privacy loss of the
data is visible (``geotraf privacy status``). A second release of data already released
(other settings, or a lost release folder) spends budget again, so it is refused unless
forced, and a forced one is recorded as such.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geotraf.errors import PrivacyError
from geotraf.privacy.release import (
    Release,
    ReleaseConfig,
    TableRelease,
    TableSpec,
    make_release,
    release_id,
)

#: Environment variable naming the instance folder (as for the dashboard).
ENV_INSTANCE = "GEOTRAF_INSTANCE"
LEDGER = "ledger.jsonl"


def default_folder() -> Path:
    """Return ``<instance>/releases`` (``$GEOTRAF_INSTANCE`` or ``./instance``)."""
    return Path(os.environ.get(ENV_INSTANCE) or Path.cwd() / "instance") / "releases"


@dataclass(frozen=True)
class ReleaseStore:
    """The releases folder of one instance.

    Examples
    --------
    >>> import tempfile
    >>> store = ReleaseStore(Path(tempfile.mkdtemp()))
    >>> store.ledger()
    []
    """

    folder: Path

    @property
    def ledger_path(self) -> Path:
        """The ledger file."""
        return self.folder / LEDGER

    def ledger(self) -> list[dict[str, Any]]:
        """Return every ledger line, oldest first."""
        if not self.ledger_path.exists():
            return []
        lines = self.ledger_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def load(self, rid: str) -> Release | None:
        """Return the stored release ``rid``, or None when there is none."""
        path = self.folder / rid
        meta_path = path / "release.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        config = _config_from(meta["config"])
        tables = {}
        for name, info in meta["tables"].items():
            frame = pd.read_parquet(path / f"{name}.parquet")
            for col in frame.columns:
                # Key columns are text; the incident cells' public lon/lat stay numbers.
                if col not in {"year", "count"} and not pd.api.types.is_float_dtype(frame[col]):
                    frame[col] = frame[col].astype("string")
            tables[name] = TableRelease(
                name, frame, info["epsilon"], info["delta"], info["scale"], info["threshold"]
            )
        return Release(meta["dataset_hash"], config, tables, meta["created"], meta["seconds"])

    def obtain(
        self,
        flows: pd.DataFrame,
        *,
        domains: Mapping[str, Sequence[Any]],
        data_hash: str,
        config: ReleaseConfig | None = None,
        force: bool = False,
        source: str = "",
        maker: Callable[..., Release] = make_release,
    ) -> Release:
        """Return the release of this dataset version, making it only the first time.

        Raises
        ------
        PrivacyError
            When this data was released before under another id and ``force`` is False.
        """
        config = config or ReleaseConfig()
        rid = release_id(data_hash, config)
        found = self.load(rid)
        if found is not None:
            return found
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock():
            found = self.load(rid)  # another process may have made it meanwhile
            if found is not None:
                return found
            earlier = [e for e in self.ledger() if e.get("dataset_hash") == data_hash]
            if earlier and not force:
                last = earlier[-1]
                raise PrivacyError(
                    f"this data was already released (release {last['release_id']}, "
                    f"ε = {last['epsilon']:g}, {last['time']}); another release of the same "
                    "data spends privacy budget again. Reuse the existing settings, or "
                    "force it (`geotraf privacy release --force`), which the ledger records"
                )
            release = maker(flows, domains=domains, config=config, data_hash=data_hash)
            self._write(release)
            self._append(release, forced=bool(earlier), source=source)
            return release

    @contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.folder / ".lock", "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write(self, release: Release) -> None:
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
        try:
            for name, table in release.tables.items():
                table.frame.to_parquet(tmp / f"{name}.parquet", index=False)
            meta = {
                "dataset_hash": release.dataset_hash,
                "config": release.config.describe(),
                "created": release.created,
                "seconds": release.seconds,
                "tables": {
                    name: {
                        "epsilon": t.epsilon,
                        "delta": t.delta,
                        "scale": t.scale,
                        "threshold": t.threshold,
                    }
                    for name, t in release.tables.items()
                },
            }
            (tmp / "release.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
            os.replace(tmp, self.folder / release.release_id)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _append(self, release: Release, *, forced: bool, source: str) -> None:
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            **{k: v for k, v in release.summary().items() if k != "tables"},
            "keys": {n: t["keys"] for n, t in release.summary()["tables"].items()},
            # The budget split: what each table spent (they add up to the release's ε).
            "split": {
                n: {"epsilon": t["epsilon"], "delta": t["delta"], "cells": t["cells"]}
                for n, t in release.summary()["tables"].items()
            },
            "forced": forced,
            "source": source,
        }
        line = json.dumps(entry, sort_keys=True) + "\n"
        fd = os.open(self.ledger_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def _config_from(raw: Mapping[str, Any]) -> ReleaseConfig:
    tables = tuple(
        TableSpec(
            t["name"],
            tuple(t["keys"]),
            float(t["share"]),
            t["selection"],
            t.get("source", "flows"),  # releases made before incidents were released
        )
        for t in raw["tables"]
    )
    return ReleaseConfig(
        epsilon=float(raw["epsilon"]),
        delta=float(raw["delta"]),
        contributions=int(raw["contributions"]),
        tables=tables,
    )


def status(store: ReleaseStore) -> dict[str, Any]:
    """Return the ledger with cumulative ε and δ per dataset (basic composition).

    Examples
    --------
    >>> import tempfile
    >>> status(ReleaseStore(Path(tempfile.mkdtemp())))["releases"]
    []
    """
    entries = store.ledger()
    per_dataset: dict[str, dict[str, Any]] = {}
    for e in entries:
        d = per_dataset.setdefault(
            e["dataset_hash"], {"releases": 0, "epsilon": 0.0, "delta": 0.0, "forced": 0}
        )
        d["releases"] += 1
        d["epsilon"] = round(d["epsilon"] + float(e["epsilon"]), 6)
        d["delta"] += float(e["delta"])
        d["forced"] += int(bool(e.get("forced")))
    return {"folder": str(store.folder), "releases": entries, "datasets": per_dataset}
