"""Random networks of any size, for tests against brute force and for benchmarks.

The networks look like the real one in structure: two track gauges with gauge changes at
border crossings, seaports joining rail to sea, a few countries and chokepoints. Figures
are random and sourced to one ``synthetic`` row: nothing here describes a real place.
"""

from __future__ import annotations

import itertools
import math
from types import MappingProxyType

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree

from corridor.network.model import Commodity, EmissionFactor, Exposure, Link, Network, Node, Source

_SRC = MappingProxyType({"all": ("synthetic",)})
COUNTRIES = ("KZ", "CN", "RU", "GE", "AZ", "TR", "IR", "JP")
CHOKEPOINTS = ("SUEZ", "BOSPORUS", "MALACCA", "HORMUZ")


def synthetic_network(n_nodes: int, n_links: int, seed: int = 0) -> Network:
    """A connected random network with about ``n_links`` links.

    Nodes lie in a unit square split into country bands; each links to its nearest
    neighbours. About one node in eight is a border crossing (both gauges), one in ten a
    seaport (rail and sea); the origin is node ``N0`` and the destination ``N1``.
    """
    rng = np.random.default_rng(seed)
    xy = rng.random((n_nodes, 2))
    xy[0] = (0.02, 0.5)
    xy[1] = (0.98, 0.5)
    kinds = rng.choice(["rail_hub", "border_crossing", "seaport"], n_nodes, p=[0.78, 0.12, 0.10])
    kinds[0], kinds[1] = "production_site", "destination_port"
    country = [COUNTRIES[min(int(x * len(COUNTRIES)), len(COUNTRIES) - 1)] for x in xy[:, 0]]
    gauge = np.where(xy[:, 0] < 0.5, 1520, 1435)
    nodes = []
    for i in range(n_nodes):
        kind = str(kinds[i])
        gauges = (1520, 1435) if kind == "border_crossing" else (int(gauge[i]),)
        nodes.append(
            Node(
                f"N{i}",
                f"Node {i}",
                "",
                country[i],
                kind,
                float(xy[i, 1] * 40 + 20),
                float(xy[i, 0] * 100 + 40),
                MappingProxyType(
                    {
                        "container": float(rng.uniform(2, 15)),
                        "bulk": 0.0,
                        "liquid": 0.0,
                        "class7": 0.0,
                    }
                ),
                float(rng.uniform(2, 24)),
                float(rng.uniform(24, 48)),
                float(rng.uniform(0, 30)) if kind == "border_crossing" else 0.0,
                float(rng.uniform(30, 60)) if kind == "border_crossing" else 0.0,
                float(rng.uniform(0, 5)),
                gauges,
                ("container",),
                ("ore",) if i == 0 else (),
                _SRC,
                "",
            )
        )
    links = [_link(k, i, j, nodes, xy, rng) for k, (i, j) in enumerate(_pairs(xy, n_links))]
    exposures = tuple(
        Exposure(
            e,
            "country" if e in COUNTRIES else "chokepoint",
            e,
            "",
            None,
            None,
            float(rng.uniform(0, 0.5)),
            float(rng.uniform(1, 30)),
            1.0,
            0.0,
            _SRC,
            "",
        )
        for e in (*COUNTRIES, *CHOKEPOINTS)
    )
    factors = tuple(
        EmissionFactor(f"ef_{m}", m, m, v, _SRC, "") for m, v in (("rail", 34.7), ("sea", 10.0))
    )
    commodity = Commodity(
        "ore",
        "Ore",
        "",
        "container",
        "",
        2000.0,
        "containers",
        ("rail", "sea"),
        0.15,
        1.0,
        "",
        _SRC,
        "",
    )
    source = Source(
        "synthetic",
        "Random synthetic network (corridor.network.synthetic)",
        "",
        2026,
        "computed",
        "numpy random generator with a fixed seed",
    )
    return Network(
        tuple(nodes),
        tuple(links),
        (commodity,),
        exposures,
        factors,
        (source,),
        f"synthetic n={n_nodes} seed={seed}",
    )


def _pairs(xy: np.ndarray, n_links: int) -> list[tuple[int, int]]:
    """Node pairs to link: a spanning tree of near neighbours, then the nearest other pairs."""
    n = len(xy)
    k = min(n - 1, max(2, math.ceil(2 * n_links / n)) + 2)
    dist, idx = cKDTree(xy).query(xy, k + 1)
    rows = np.repeat(np.arange(n), k)
    cols = idx[:, 1:].ravel()
    near = coo_matrix((dist[:, 1:].ravel() + 1e-9, (rows, cols)), shape=(n, n)).tocsr()
    tree = minimum_spanning_tree(near.maximum(near.T)).tocoo()
    pairs = {
        (min(a, b), max(a, b)) for a, b in zip(tree.row.tolist(), tree.col.tolist(), strict=True)
    }
    _, labels = connected_components(near, directed=False)
    order = np.argsort(xy[:, 0])
    for a, b in itertools.pairwise(order.tolist()):  # join any separate components
        if labels[a] != labels[b]:
            pairs.add((min(a, b), max(a, b)))
            labels[labels == labels[b]] = labels[a]
    extra = sorted(zip(dist[:, 1:].ravel().tolist(), rows.tolist(), cols.tolist(), strict=True))
    for _, a, b in extra:
        if len(pairs) >= n_links:
            break
        pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _link(
    k: int, i: int, j: int, nodes: list[Node], xy: np.ndarray, rng: np.random.Generator
) -> Link:
    a, b = nodes[i], nodes[j]
    km = float(math.dist(xy[i], xy[j]) * 8000 + 5)
    by_sea = a.kind in ("seaport", "destination_port") and b.kind in ("seaport", "destination_port")
    shared = set(a.gauges_mm) & set(b.gauges_mm)
    if not by_sea and not shared:
        by_sea = True  # no common track: make it a short-sea link
    mode = "sea" if by_sea else "rail"
    gauge = None if by_sea else max(shared)
    days = km / (600 if by_sea else 800) + float(rng.uniform(0, 1))
    countries = tuple(dict.fromkeys((a.country, b.country)))
    choke = (str(rng.choice(CHOKEPOINTS)),) if by_sea and rng.random() < 0.3 else ()
    return Link(
        f"L{k}",
        a.id,
        b.id,
        mode,
        gauge,
        mode,
        "domestic",
        km,
        days,
        days * float(rng.uniform(1.0, 1.6)),
        float(rng.uniform(0, 20)),
        float(rng.uniform(0.005, 0.04)),
        None,
        "",
        ("container",),
        countries,
        choke,
        MappingProxyType({}),
        True,
        f"ef_{mode}",
        ((a.lon, a.lat), (b.lon, b.lat)),
        _SRC,
        "",
    )
