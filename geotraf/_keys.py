"""Flows resolved to keys: the distinct node sequences (origin, via…, destination).

A matrix repeats each origin and destination code many times: codes are resolved once per
distinct value (:class:`geotraf.endpoints.EndpointResolver`), and without via places the
flows are keyed by array operations alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geotraf import _csr
from geotraf.endpoints import Endpoint, EndpointResolver, split_codes


@dataclass(frozen=True)
class Keyed:
    """Flows resolved to keys (distinct node sequences origin, via…, destination).

    ``flow_ids[i]`` (count ``flow_count[i]``) runs along key ``flow_key[i]``; flows that
    could not be resolved are in ``failures`` (flow_id → (reason, detail)).
    """

    key_list: list[tuple[str, ...]] | None
    flow_ids: pd.Index
    flow_key: np.ndarray
    flow_count: np.ndarray
    failures: dict[Hashable, tuple[str, str]]
    origin_nodes: list[Any] | np.ndarray
    dest_nodes: list[Any] | np.ndarray
    src: np.ndarray | None = None
    dst: np.ndarray | None = None

    def keys(self, view: _csr.CSRGraph, which: np.ndarray | None = None) -> list[tuple[str, ...]]:
        """The node ids of keys ``which`` (all by default)."""
        if self.key_list is not None:
            return self.key_list if which is None else [self.key_list[j] for j in which]
        assert self.src is not None and self.dst is not None
        a, b = (self.src, self.dst) if which is None else (self.src[which], self.dst[which])
        names = view.node_ids
        return [(str(names[u]), str(names[v])) for u, v in zip(a, b, strict=True)]


def resolve_keys(
    flows: pd.DataFrame, counts: pd.Series, resolver: EndpointResolver, view: _csr.CSRGraph
) -> Keyed:
    """Resolve every flow to its key or a failure (first bad endpoint in travel order).

    Codes are resolved once per distinct value (a matrix repeats each origin many times);
    without via places the flows are keyed by array operations alone.
    """

    def per_flow(column: str, as_: str) -> tuple[np.ndarray, list[Endpoint]]:
        codes, uniques = pd.factorize(flows[column], use_na_sentinel=True)
        ends = [resolver.resolve(code, as_=as_) for code in uniques]
        ends.append(resolver.resolve(None, as_=as_))  # code -1: NA
        return codes, ends

    o_code, o_ends = per_flow("origin", "origin")
    d_code, d_ends = per_flow("destination", "destination")
    o_nodes = [e.node for e in o_ends]
    d_nodes = [e.node for e in d_ends]
    origin_nodes = _take_objects(o_nodes, o_code)
    dest_nodes = _take_objects(d_nodes, d_code)
    vias = [split_codes(v) for v in flows["via"]] if "via" in flows.columns else []
    failures: dict[Hashable, tuple[str, str]] = {}
    ids = flows.index
    if not any(vias):
        index = view.node_index
        o_idx = np.array([-1 if x is None else index[x] for x in o_nodes], dtype=np.int64)[o_code]
        d_idx = np.array([-1 if x is None else index[x] for x in d_nodes], dtype=np.int64)[d_code]
        ok = (o_idx >= 0) & (d_idx >= 0)
        for i in np.flatnonzero(~ok).tolist():
            bad = o_ends[o_code[i]] if o_idx[i] < 0 else d_ends[d_code[i]]
            failures[ids[i]] = (str(bad.reason), bad.detail)
        pair, flow_key = np.unique(o_idx[ok] * view.n + d_idx[ok], return_inverse=True)
        return Keyed(
            key_list=None,
            flow_ids=ids if ok.all() else ids[ok],
            flow_key=flow_key.astype(np.int64),
            flow_count=counts.to_numpy(dtype=np.float64)[ok],
            failures=failures,
            origin_nodes=origin_nodes,
            dest_nodes=dest_nodes,
            src=pair // view.n,
            dst=pair % view.n,
        )
    keys: dict[Hashable, tuple[str, ...]] = {}
    for fid, o, d, via in zip(ids, o_code.tolist(), d_code.tolist(), vias, strict=True):
        ends = [o_ends[o], *(resolver.resolve(v, as_="via") for v in via), d_ends[d]]
        bad = next((e for e in ends if e.node is None), None)
        if bad is not None:
            failures[fid] = (str(bad.reason), bad.detail)
        else:
            keys[fid] = tuple(str(e.node) for e in ends)
    key_list = list(dict.fromkeys(keys.values()))
    key_of = {key: j for j, key in enumerate(key_list)}
    flow_ids = list(keys)
    return Keyed(
        key_list=key_list,
        flow_ids=pd.Index(flow_ids, dtype=object),
        flow_key=np.fromiter((key_of[k] for k in keys.values()), np.int64, count=len(keys)),
        flow_count=counts.reindex(flow_ids).to_numpy(dtype=np.float64),
        failures=failures,
        origin_nodes=origin_nodes,
        dest_nodes=dest_nodes,
    )


def _take_objects(values: list[Any], codes: np.ndarray) -> np.ndarray:
    """``values[codes[i]]`` for every i, as an object array (code -1: the last value)."""
    table = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):  # one per distinct code; ids may be tuples
        table[i] = value
    out: np.ndarray = table[codes]
    return out
