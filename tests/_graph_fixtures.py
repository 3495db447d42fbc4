"""Helpers for comparing route graphs in the convert and io tests."""

from __future__ import annotations

from typing import Any

import networkx as nx


def assert_same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    """Assert equal graph attrs, node ids/attrs and edges/keys/attrs (types included)."""
    assert dict(a.graph) == dict(b.graph)
    assert list(a.nodes) == list(b.nodes)
    for n in a.nodes:
        _same_attrs(a.nodes[n], b.nodes[n], n)
    ea = list(a.edges(keys=True, data=True))
    eb = list(b.edges(keys=True, data=True))
    assert [e[:3] for e in ea] == [e[:3] for e in eb]
    for (u, v, k, da), (_, _, _, db) in zip(ea, eb, strict=True):
        _same_attrs(da, db, (u, v, k))


def _same_attrs(da: dict[str, Any], db: dict[str, Any], where: object) -> None:
    assert set(da) == set(db), where
    for key, va in da.items():
        vb = db[key]
        if key == "geometry":
            assert va.equals_exact(vb, tolerance=0.0), where
        else:
            assert type(va) is type(vb), (where, key, type(va), type(vb))
            assert va == vb, (where, key)
