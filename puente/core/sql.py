"""SQL pieces the ORM does not write the way a planner needs them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from django.db.models import Expression, F, Q
from django.db.models.lookups import Exact, Lookup

_CODE = re.compile(r"[a-z0-9_]+")


class Code(Expression):
    """A picklist code written into the SQL text instead of sent as a parameter. SQLite
    plans with a bound value too, but then cannot tell that a partial index's own
    condition (`NOT status = 'closed'`) already holds for every entry, so it reads each
    row's table page to check it again: counting 26,000 overdue tasks on open cases took
    145 ms so, against 25 ms from the index alone. Only codes (lower-case letters, digits
    and underscores, the form of every picklist value) are accepted: nothing a user typed
    can reach the SQL text this way."""

    def __init__(self, code: str, output_field=None):
        if not _CODE.fullmatch(code):
            raise ValueError(f"not a picklist code: {code!r}")
        super().__init__(output_field=output_field)
        self.code = code

    def as_sql(self, compiler, connection):
        return f"'{self.code}'", []


def is_not(field: str, code: str) -> Q:
    """`field` differs from the picklist `code`, in the words of a partial index's own
    condition (`NOT (field = 'code')`), so that SQLite can answer from such an index alone."""
    return ~Q(Exact(F(field), Code(code)))


class _AnyOf(Lookup):
    """`field IN (…)` for a long list of whole numbers sent as ONE parameter: an array on
    PostgreSQL (`= ANY(%s)`), a JSON text on SQLite (`IN (SELECT value FROM json_each)`).
    Django writes one placeholder per value, and psycopg splits and binds each of them in
    Python: a thousand ids per query cost more there than the query itself."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = [int(v) for v in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*params, values]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(values)]


def one_of(field: str, ids: Iterable[int]) -> Q:
    """`field` is one of these whole numbers (ids), however many: see `_AnyOf`."""
    return Q(_AnyOf(F(field), list(ids)))
