"""The network view: cases, persons, businesses and identifiers as a graph.

Two cases are joined when they hold the same identifier (its normalised form) — only
identifiers held by two cases or more are read — and a person is joined to another in a
different case when an analyst confirmed them as one (`PersonLink`, status confirmed).

Scale: a national hotline holds hundreds of thousands of cases, so the page never draws
everything. `network` ranks the connected components by their number of cases: one pass
over the recurring identifiers (read from identifier_lookup_idx alone), joined into groups
of cases by a union-find, without building the whole graph. Only the component a person
opens (by its rank, or by searching an identifier or a case reference) is built in
networkx — persons and businesses, degree, betweenness — cut at
PUENTE_NETWORK_GRAPH_MAX_NODES nodes (the best-connected kept).

Permission filtering: a case the reader may not see (recurrence.NetworkReader: for someone
who reads cases, the restricted-case rule; for an analyst, every restricted case) is never
a node, nor are its persons; the identifiers it holds still count it ("3 cases, 1 you may
not open"), and a component says how many such cases touch it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, overload

import networkx as nx
from django.conf import settings
from django.db import connection
from django.utils import timezone

from puente.accounts.models import User
from puente.cases.models import Case, Identifier, Person
from puente.core import choices as c
from puente.networks.models import PersonLink
from puente.networks.recurrence import NetworkReader, normalised_or_empty

_CASE = Case._meta.db_table
_IDENTIFIER = Identifier._meta.db_table

CASE, PERSON, BUSINESS, IDENTIFIER = "case", "person", "business", "identifier"


@dataclass(frozen=True)
class GraphFilters:
    kind: str = ""  # an IdentifierKind code, or every kind
    min_cases: int = 2  # components with at least this many cases the reader may see
    since: date | None = None  # cases opened from…
    until: date | None = None  # …to (inclusive)

    def as_text(self) -> str:
        parts = [f"kind={self.kind or 'all'}", f"min_cases={self.min_cases}"]
        if self.since:
            parts.append(f"since={self.since.isoformat()}")
        if self.until:
            parts.append(f"until={self.until.isoformat()}")
        return " ".join(parts)


@dataclass
class Component:
    rank: int
    case_ids: list[int]
    identifiers: list[tuple[str, str]]  # (kind, normalised), most cases first
    hidden_cases: int  # cases it touches that the reader may not see
    identifier_cases: dict[tuple[str, str], int]  # every case, seen or not

    @property
    def size(self) -> int:
        return len(self.case_ids)

    def top_identifiers(self, n: int = 3) -> list[tuple[str, str]]:
        return self.identifiers[:n]


@dataclass
class Node:
    id: str
    kind: str  # CASE, PERSON, BUSINESS or IDENTIFIER
    label: str
    detail: str = ""  # an identifier's kind label, a person's roles
    url: str = ""  # a case page, for a reader who may open it
    cases: int = 0  # an identifier: every case holding it
    hidden_cases: int = 0  # …of which the reader may not open
    degree: int = 0
    betweenness: float = 0.0
    component: int = 0

    @property
    def kind_label(self) -> str:
        return str(NODE_KINDS.get(self.kind, self.kind))


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # "holds", "in_case", "same_person"


@dataclass
class FocusedGraph:
    component: Component
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated_from: int = 0  # the component's node count when cut to the cap

    def as_json(self) -> dict[str, Any]:
        """What the page's script draws (a json_script block)."""
        return {
            "nodes": [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "label": n.label,
                    "detail": n.detail,
                    "url": n.url,
                    "degree": n.degree,
                    "betweenness": round(n.betweenness, 4),
                }
                for n in self.nodes
            ],
            "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in self.edges],
        }


def _labels() -> dict[str, Any]:
    from django.utils.translation import gettext_lazy as _

    return {
        CASE: _("Case"),
        PERSON: _("Person"),
        BUSINESS: _("Business"),
        IDENTIFIER: _("Identifier"),
    }


NODE_KINDS = _labels()


def _case_node(case_id: int) -> str:
    return f"case:{case_id}"


def _identifier_node(kind: str, normalised: str) -> str:
    return f"identifier:{kind}:{normalised}"


def _person_node(person_id: int) -> str:
    return f"person:{person_id}"


def _db_moment(moment: datetime, tz: Any) -> Any:
    # Raw SQL: the database's own form of an aware moment (UTC text on SQLite).
    return connection.ops.adapt_datetimefield_value(timezone.make_aware(moment, tz))


def _period_sql(filters: GraphFilters, alias: str) -> tuple[str, list[Any]]:
    sql, params = "", []
    tz = timezone.get_current_timezone()
    if filters.since:
        sql += f" AND {alias}.created_at >= %s"
        params.append(_db_moment(datetime.combine(filters.since, time.min), tz))
    if filters.until:
        sql += f" AND {alias}.created_at < %s"
        params.append(_db_moment(datetime.combine(filters.until + timedelta(days=1), time.min), tz))
    return sql, params


def _recurring(filters: GraphFilters) -> dict[tuple[str, str], set[int]]:
    """Every identifier held by two cases or more (within the filters), with those cases:
    one GROUP BY pass, the case ids aggregated as text. Without a period it is read from
    identifier_lookup_idx alone (kind, normalised, case id)."""
    kind_sql = " AND i.kind = %s" if filters.kind else ""
    kind_params = [filters.kind] if filters.kind else []
    period, period_params = _period_sql(filters, "cs")
    join = f"JOIN {_CASE} cs ON cs.id = i.case_id" if period else ""
    cases = (
        "string_agg(DISTINCT i.case_id::text, ',')"
        if connection.vendor == "postgresql"
        else "group_concat(DISTINCT i.case_id)"
    )
    sql = f"""
    SELECT i.kind, i.normalised, {cases}
    FROM {_IDENTIFIER} i {join}
    WHERE 1 = 1{kind_sql}{period}
    GROUP BY i.kind, i.normalised HAVING COUNT(DISTINCT i.case_id) >= 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*kind_params, *period_params])
        return {
            (kind, normalised): {int(case_id) for case_id in holders.split(",")}
            for kind, normalised, holders in cursor.fetchall()
        }


def _confirmed_links(seen: Callable[[int], bool]) -> list[tuple[int, int, int, int, float]]:
    """(person_a, case_a, person_b, case_b, weight) for confirmed links between two
    persons whose cases the reader may both see."""
    rows = PersonLink.objects.filter(status="confirmed").values_list(
        "person_a_id", "person_a__case_id", "person_b_id", "person_b__case_id", "match_weight"
    )
    return [(pa, ca, pb, cb, w) for pa, ca, pb, cb, w in rows if seen(ca) and seen(cb)]


class _Groups:
    """Union-find over case ids: the components of the case–identifier graph without
    building it (a national hotline's recurring identifiers are a graph of hundreds of
    thousands of nodes; only the component opened is built in networkx)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent
        root = parent.setdefault(item, item)
        while root != parent[root]:
            root = parent[root]
        while item != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class RankedComponents(Sequence[Component]):
    """The components, largest first, each built only when asked for (the page lists a
    few and opens one; a national hotline has tens of thousands, most of them pairs)."""

    def __init__(
        self,
        *,
        members: dict[int, list[int]],
        keys_of: dict[int, list[tuple[str, str]]],
        every_case: dict[tuple[str, str], set[int]],
        hidden_of: dict[tuple[str, str], set[int]],
    ) -> None:
        self._members, self._keys_of = members, keys_of
        self._every_case, self._hidden_of = every_case, hidden_of
        self._roots = sorted(
            members, key=lambda root: (-len(members[root]), -len(keys_of[root]), root)
        )
        self._rank_of = {root: rank for rank, root in enumerate(self._roots, start=1)}
        self._built: dict[int, Component] = {}

    def __len__(self) -> int:
        return len(self._roots)

    @overload
    def __getitem__(self, index: int) -> Component: ...

    @overload
    def __getitem__(self, index: slice) -> list[Component]: ...

    def __getitem__(self, index: int | slice) -> Component | list[Component]:
        if isinstance(index, slice):
            return [self._build(root) for root in self._roots[index]]
        return self._build(self._roots[index])

    def rank_of(self, root: int) -> int | None:
        return self._rank_of.get(root)

    def _build(self, root: int) -> Component:
        if root not in self._built:
            every_case = self._every_case
            identifiers = sorted(self._keys_of[root], key=lambda key: (-len(every_case[key]), key))
            hidden: set[int] = set()
            for key in identifiers:
                hidden |= self._hidden_of.get(key, set())
            self._built[root] = Component(
                rank=self._rank_of[root],
                case_ids=sorted(self._members[root]),
                identifiers=identifiers,
                hidden_cases=len(hidden),
                identifier_cases={key: len(every_case[key]) for key in identifiers},
            )
        return self._built[root]


@dataclass
class Network:
    """Every component of the recurring identifiers (as the reader sees them), ranked."""

    filters: GraphFilters
    components: RankedComponents
    links: list[tuple[int, int, int, int, float]]
    reader: NetworkReader
    hidden_of: dict[tuple[str, str], set[int]]  # an identifier's cases the reader may not see
    root_of_case: Callable[[int], int | None]
    root_of_key: dict[tuple[str, str], int]

    def _at(self, root: int | None) -> Component | None:
        rank = self.components.rank_of(root) if root is not None else None
        return self.components[rank - 1] if rank else None

    def component_of_case(self, case_id: int) -> Component | None:
        return self._at(self.root_of_case(case_id))

    def component_of_identifier(self, kind: str, normalised: str) -> Component | None:
        return self._at(self.root_of_key.get((kind, normalised)))


def network(*, user: User, filters: GraphFilters) -> Network:
    """The ranked components (by cases the reader may see, then by identifiers). Three or
    four queries: the recurring identifiers, the restricted cases (few), the reader's
    grants if one of those is someone else's, the confirmed links."""
    reader = NetworkReader(user)
    every_case = _recurring(filters)
    restricted = dict(Case.objects.filter(restricted=True).values_list("pk", "owner_id"))
    sees_unrestricted = reader.sees(0, restricted=False, owner_id=None)

    def seen(case_id: int) -> bool:
        if case_id not in restricted:
            return sees_unrestricted
        return reader.sees(case_id, restricted=True, owner_id=restricted[case_id])

    links = _confirmed_links(seen)
    groups = _Groups()
    seen_of: dict[tuple[str, str], list[int]] = {}
    hidden_of: dict[tuple[str, str], set[int]] = {}
    for key, holders in every_case.items():
        visible = [case_id for case_id in holders if seen(case_id)]
        if len(visible) < len(holders):
            hidden_of[key] = holders.difference(visible)
        if visible:
            seen_of[key] = visible
            first = visible[0]
            groups.find(first)
            for case_id in visible[1:]:
                groups.union(first, case_id)
    for _pa, case_a, _pb, case_b, _w in links:
        groups.union(case_a, case_b)
    members: dict[int, list[int]] = defaultdict(list)
    for case_id in list(groups.parent):
        members[groups.find(case_id)].append(case_id)
    minimum = max(filters.min_cases, 1)
    members = {root: cases for root, cases in members.items() if len(cases) >= minimum}
    keys_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    root_of_key: dict[tuple[str, str], int] = {}
    for key, visible in seen_of.items():
        root = groups.find(visible[0])
        if root in members:
            keys_of[root].append(key)
            root_of_key[key] = root

    def root_of_case(case_id: int) -> int | None:
        if case_id not in groups.parent:
            return None
        root = groups.find(case_id)
        return root if root in members else None

    return Network(
        filters=filters,
        components=RankedComponents(
            members=members, keys_of=keys_of, every_case=every_case, hidden_of=hidden_of
        ),
        links=links,
        reader=reader,
        hidden_of=hidden_of,
        root_of_case=root_of_case,
        root_of_key=root_of_key,
    )


def find_component(*, net: Network, query: str) -> Component | None:
    """The component holding a case (by reference) or an identifier (as typed, in any
    kind it reads as)."""
    text = (query or "").strip()
    if not text:
        return None
    case_id = Case.objects.filter(reference=text.upper()).values_list("pk", flat=True).first()
    if case_id is not None:
        found = net.component_of_case(case_id)
        if found is not None:
            return found
    for kind in c.IdentifierKind.values:
        normalised = normalised_or_empty(kind=kind, value=text)
        if normalised:
            found = net.component_of_identifier(kind, normalised)
            if found is not None:
                return found
    return None


def _max_nodes() -> int:
    return settings.PUENTE_NETWORK_GRAPH_MAX_NODES


def focus(
    *, net: Network, component: Component, case_url: Callable[[str], str] | None = None
) -> FocusedGraph:
    """One component in detail: its cases, the persons and businesses holding its
    identifiers or confirmed as one with another, its identifiers; degree and
    betweenness (networkx, normalised) over what is drawn. Three queries (cases,
    persons, and nothing else), however large the component."""
    case_ids = set(component.case_ids)
    keys = set(component.identifiers)
    graph = nx.Graph()
    person_ids: set[int] = set()
    holds: list[tuple[str, str]] = []
    rows = Identifier.objects.filter(case_id__in=case_ids).values_list(
        "kind", "normalised", "case_id", "person_id"
    )
    for kind, normalised, case_id, person_id in rows:
        key = (kind, normalised)
        if key not in keys:
            continue
        ident = _identifier_node(kind, normalised)
        if person_id is not None:
            person_ids.add(person_id)
            holds.append((_person_node(person_id), ident))
            holds.append((_case_node(case_id), _person_node(person_id)))
        else:
            holds.append((_case_node(case_id), ident))
    same_person = []
    for pa, case_a, pb, case_b, _w in net.links:
        if case_a in case_ids and case_b in case_ids:
            person_ids.update((pa, pb))
            holds.append((_case_node(case_a), _person_node(pa)))
            holds.append((_case_node(case_b), _person_node(pb)))
            same_person.append((_person_node(pa), _person_node(pb)))
    for source, target in holds:
        graph.add_edge(source, target)
    for source, target in same_person:
        graph.add_edge(source, target, kind="same_person")

    truncated_from = 0
    cap = _max_nodes()
    if graph.number_of_nodes() > cap:
        # The best-connected nodes, then what keeps them joined: degree decides.
        truncated_from = graph.number_of_nodes()
        kept = sorted(graph.degree, key=lambda item: (-item[1], item[0]))[:cap]
        graph = graph.subgraph(node for node, _d in kept).copy()

    betweenness = nx.betweenness_centrality(graph, normalized=True)
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=case_ids).only("pk", "reference", "title")
    }
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=person_ids).only(
            "pk", "case_id", "is_business", "first_name", "last_name", "alias", "roles"
        )
    }
    kind_labels = dict(c.IdentifierKind.choices)
    role_labels = dict(c.PersonRole.choices)
    reads_cases = net.reader.reads_cases
    nodes: list[Node] = []
    for node_id in graph.nodes:
        kind, _sep, rest = node_id.partition(":")
        if kind == CASE:
            case = cases[int(rest)]
            nodes.append(
                Node(
                    id=node_id,
                    kind=CASE,
                    label=case.reference,
                    detail=case.title if reads_cases else "",
                    url=case_url(case.reference) if (case_url and reads_cases) else "",
                )
            )
        elif kind == PERSON:
            person = persons[int(rest)]
            nodes.append(
                Node(
                    id=node_id,
                    kind=BUSINESS if person.is_business else PERSON,
                    label=person.display_name,
                    detail=", ".join(str(role_labels.get(r, r)) for r in person.roles or []),
                )
            )
        else:
            ident_kind, _sep, normalised = rest.partition(":")
            key = (ident_kind, normalised)
            nodes.append(
                Node(
                    id=node_id,
                    kind=IDENTIFIER,
                    label=normalised,
                    detail=str(kind_labels.get(ident_kind, ident_kind)),
                    cases=component.identifier_cases.get(key, 0),
                    hidden_cases=len(net.hidden_of.get(key, ())),
                )
            )
    for node in nodes:
        node.degree = graph.degree[node.id]
        node.betweenness = betweenness.get(node.id, 0.0)
        node.component = component.rank
    order = {CASE: 0, BUSINESS: 1, PERSON: 2, IDENTIFIER: 3}
    nodes.sort(key=lambda n: (-n.degree, order[n.kind], n.label))
    edges = [
        Edge(source=s, target=t, kind=data.get("kind") or "holds")
        for s, t, data in graph.edges(data=True)
    ]
    return FocusedGraph(
        component=component, nodes=nodes, edges=edges, truncated_from=truncated_from
    )
