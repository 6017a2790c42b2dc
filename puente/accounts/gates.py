"""Permission gates: a permission a person's role gives, held back from that person for
now — an advocate a supervisor has sent back to practice keeps the advocate role but may
not take live calls until the required practice calls are passed (puente/training).

Accounts sits below the apps that know why a permission is held back, so they register
a gate here from their AppConfig.ready(), and `User.can()` consults it. A gate names the
few permissions it may hold back: asking for any other permission, or asking as someone
whose role does not hold them, never runs it. When it does run, its answer is kept on
the user instance for `CACHE_SECONDS`, so a page pays for it once; a long-lived instance
(the live stream's reader) sees a change within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# How long an answer is kept on one user instance. A request is over long before; the
# live stream, which keeps its user for minutes, asks again after this.
CACHE_SECONDS = 30.0
_CACHE_ATTRIBUTE = "_puente_gates"


@dataclass(frozen=True)
class PermissionGate:
    name: str
    # What this gate may hold back: it runs only when one of these is asked for.
    perms: frozenset[str]
    # withheld(user) -> the permissions held back from `user` now (a subset of `perms`).
    withheld: Callable[[Any], frozenset[str]]
    # reason(user) -> why, in the active language, for the refusal page. Runs only on a
    # refusal, so it may cost more than `withheld`.
    reason: Callable[[Any], str]
    # withheld_among(users) -> {pk: what is held back} for many people in one query
    # (`prime`); those it leaves out have nothing held back.
    withheld_among: Callable[[list[Any]], dict[Any, frozenset[str]]] | None = None


_gates: dict[str, PermissionGate] = {}


def add_permission_gate(
    *,
    name: str,
    perms: frozenset[str],
    withheld: Callable[[Any], frozenset[str]],
    reason: Callable[[Any], str],
    withheld_among: Callable[[list[Any]], dict[Any, frozenset[str]]] | None = None,
) -> None:
    _gates[name] = PermissionGate(
        name=name, perms=perms, withheld=withheld, reason=reason, withheld_among=withheld_among
    )


def _withheld_by(user: Any, gate: PermissionGate) -> frozenset[str]:
    if user.pk is None:
        return frozenset()
    cache: dict[str, tuple[float, frozenset[str]]] = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    now = time.monotonic()
    kept = cache.get(gate.name)
    if kept is not None and now - kept[0] < CACHE_SECONDS:
        return kept[1]
    found = gate.withheld(user) & gate.perms
    cache[gate.name] = (now, found)
    return found


def _gates_holding_back(user: Any, perm: str) -> list[PermissionGate]:
    return [
        gate for gate in _gates.values() if perm in gate.perms and perm in _withheld_by(user, gate)
    ]


def is_withheld(user: Any, perm: str) -> bool:
    """Whether a gate holds `perm` back from `user` (whose role is assumed to give it)."""
    return bool(_gates_holding_back(user, perm))


def why_withheld(user: Any, perm: str) -> str:
    """What the refusal page says when a gate holds `perm` back from `user`; "" if none."""
    return " ".join(str(gate.reason(user)) for gate in _gates_holding_back(user, perm))


def prime(users: Iterable[Any]) -> None:
    """Answer every gate for a list of people at once, one query per gate rather than one
    per person: for a page that asks the same question of each colleague (who may be
    handed a conversation)."""
    people = [user for user in users if user.pk is not None]
    if not people:
        return
    now = time.monotonic()
    for gate in _gates.values():
        if gate.withheld_among is None:
            continue
        found = gate.withheld_among(people)
        for user in people:
            cache = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
            cache[gate.name] = (now, found.get(user.pk, frozenset()) & gate.perms)


def forget(user: Any) -> None:
    """Drop what this user instance remembers of the gates (after a change to them)."""
    user.__dict__.pop(_CACHE_ATTRIBUTE, None)
