"""Scoring recovered clusters against the generator's planted networks (tests and bench)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import networkx as nx


def clusters(pairs: Iterable[tuple[int, int]]) -> list[set[int]]:
    graph = nx.Graph()
    graph.add_edges_from(pairs)
    return [set(c) for c in nx.connected_components(graph)]


def _pairs(groups: Iterable[set[int]]) -> set[tuple[int, int]]:
    return {(a, b) for group in groups for a, b in combinations(sorted(group), 2)}


def precision_recall(
    *, found: Iterable[tuple[int, int]], planted: dict[int, int]
) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of the clusters (connected components of the found
    links) against the planted persons: every two records in one found cluster is a
    predicted pair, every two occurrences of one planted person a true one. Returns
    (precision, recall, predicted pairs, true pairs)."""
    by_number: dict[int, set[int]] = {}
    for person_id, number in planted.items():
        by_number.setdefault(number, set()).add(person_id)
    truth = _pairs(g for g in by_number.values() if len(g) > 1)
    predicted = _pairs(clusters(found))
    hits = len(truth & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall, len(predicted), len(truth)
