"""What every router of the JSON API (/api/v1) shares, so its OpenAPI schema says the
same thing the code does, in one place:

- the shapes of the error answers (`ErrorOut`, `FieldErrorsOut`) and which statuses an
  operation documents (`errors(...)`);
- `Text`: a text field with its length limit (`maxLength`) that refuses what no database
  can store (NUL, lone UTF-16 surrogates) as a field error (422) before a rule runs;
- `Codes`: a picklist field documented as the enumeration of its codes;
- the paging bounds of every list.

The limits themselves are the models' (`max_length_of`): the API, the forms and the
domain's `full_clean` read the same number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from django.db import models
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, Strict, StringConstraints, WithJsonSchema

# Refused in every text the API takes: PostgreSQL cannot store NUL in text, and a lone
# surrogate is not Unicode at all (it cannot be encoded as UTF-8 for any database).
# The schema says so as a pattern, so generated clients and fuzzers know it too.
STORABLE_PATTERN = r"^[^\u0000\ud800-\udfff]*$"


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("Text may not contain unpaired surrogates: it must be valid Unicode.")
    return value


@dataclass(frozen=True)
class _Rules(GroupedMetadata):
    """Several pydantic rules as one annotation: `Annotated[str, Text(200)]`."""

    rules: tuple[Any, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rules)


def Text(max_length: int, *, pattern: str | None = None, description: str = "") -> _Rules:  # noqa: N802
    """`Annotated[str, Text(n)]`: at most `n` characters that a database can store."""
    schema: dict[str, Any] = {
        "type": "string",
        "maxLength": max_length,
        "pattern": pattern or STORABLE_PATTERN,
    }
    if description:
        schema["description"] = description
    return _Rules(
        (
            StringConstraints(max_length=max_length, pattern=pattern),
            AfterValidator(_storable),
            WithJsonSchema(schema),
        )
    )


# RFC 3339, as OpenAPI's `date-time` means it: seconds and an offset are not optional. A
# time without a zone is the pages' convenience (read on the hotline's clock), not the API's.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339(value: Any) -> Any:
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError(
            "Expected a date and time with its offset, e.g. 2026-03-01T10:15:00-06:00."
        )
    return value


# A datetime in a body: RFC 3339 text only (not a number of seconds, not a bare date).
Moment = Annotated[
    datetime, BeforeValidator(_rfc3339), WithJsonSchema({"type": "string", "format": "date-time"})
]
# JSON's true and false only (not 0, 1, "yes"), as the schema says.
Flag = Annotated[bool, Strict()]
# A JSON integer only (not "3", not true).
WholeNumber = Annotated[int, Strict()]


def Codes(choices: type[models.TextChoices], *, blank: bool = False) -> _Rules:  # noqa: N802
    """`Annotated[str, Codes(choices)]`: a picklist field, one of `choices`' codes (or ""
    for none, with `blank`), documented as that enumeration. Labels are the pages'
    business, not the API's."""
    values = ([""] if blank else []) + [str(v) for v in choices.values]

    def one_of(value: str) -> str:
        if value not in values:
            raise ValueError(f"“{value}” is not one of: {', '.join(map(repr, values))}.")
        return value

    return _Rules((AfterValidator(one_of), WithJsonSchema({"type": "string", "enum": values})))


def required_in_schema(*names: str) -> Any:
    """For a model's `json_schema_extra`: document `names` as required and drop every
    default from the schema. For a field that defaults to "" only so that the domain
    rule, not the schema, names what is missing (in the words the page uses): leaving it
    out is still a 422, so the schema calls it required."""

    def extra(schema: dict[str, Any]) -> None:
        schema["required"] = sorted({*schema.get("required", []), *names})
        for name in names:
            schema["properties"][name].pop("default", None)

    return extra


def optional_not_null(schema: dict[str, Any]) -> None:
    """For a field's `json_schema_extra`: a PATCH field that may be left out but not
    sent as null (its Python default None means "not sent", and is not documented)."""
    schema.pop("default", None)


# --- Paging ----------------------------------------------------------------------------

MAX_PAGE = 200
# Far beyond any real list, far below what a database offset can hold (2**63 - 1).
MAX_OFFSET = 1_000_000_000


def limit_param(default: int = 50, maximum: int = MAX_PAGE) -> Any:
    return Field(default, ge=1, le=maximum, description=f"Rows per page, 1 to {maximum}.")


def offset_param() -> Any:
    return Field(0, ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET}.")


# Ids and versions are database integers: bounded so a huge number is a 422, not an
# overflow deep in a query.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


# --- Error answers ---------------------------------------------------------------------


class ErrorOut(Schema):
    """Every refusal that is not about a field: 400, 401, 403, 404, 415."""

    detail: str


class FieldError(Schema):
    loc: list[str | int] = Field(
        ..., description='Where: ["body", field], ["query", name] or ["path", name].'
    )
    msg: str
    type: str


class FieldErrorsOut(Schema):
    """422: each field that is wrong and why (a schema rule or a domain rule)."""

    detail: list[FieldError]


ERROR_SCHEMAS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    415: ErrorOut,
    422: FieldErrorsOut,
}


def errors(*statuses: int, body: bool = False) -> dict[int, type[Schema]]:
    """The error answers an operation documents: always 401 (no or a bad key or
    session), 403 (refused) and 422 (a field is wrong); with `body`, 400 (not a JSON
    object) and 415 (not sent as application/json); plus `statuses` (404, …)."""
    codes = {401, 403, 422, *statuses}
    if body:
        codes |= {400, 415}
    return {code: ERROR_SCHEMAS[code] for code in sorted(codes)}
