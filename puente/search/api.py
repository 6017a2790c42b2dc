from datetime import datetime
from typing import Annotated

from ninja import Query, Router, Schema

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.core import choices as c
from puente.core.api import Codes, Text, errors
from puente.core.permissions import Perm
from puente.search.queries import search
from puente.search.snippets import snippet_text

router = Router(tags=["search"])

# Longer than anyone types into a search box; the audit entry keeps the whole query.
MAX_QUERY = 200


class CaseHit(Schema):
    reference: str
    title: str
    status: Annotated[str, Codes(c.CaseStatus)]
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)]
    imminent_danger: bool
    snippet: str


class ContactHit(Schema):
    id: int
    started_at: datetime
    channel: Annotated[str, Codes(c.Channel)]
    # "" until an advocate records it, for a contact that arrived by itself (a call, a tip).
    reason: Annotated[str, Codes(c.ReasonForContact, blank=True)]
    case_reference: str | None
    imminent_danger: bool
    level_of_indicators: Annotated[str, Codes(c.IndicatorLevel, blank=True)]
    snippet: str


# Named for what it is: the directory has a `SearchOut` of its own (providers), and
# OpenAPI components share one namespace.
class SearchResultsOut(Schema):
    query: str
    cases: list[CaseHit]
    contacts: list[ContactHit]


class SearchIn(Schema):
    q: Annotated[str, Text(MAX_QUERY, description="Words to find, in any accents and letter case.")]


@router.get("", response={200: SearchResultsOut, **errors()}, summary="Search cases and contacts")
def search_endpoint(request, params: Query[SearchIn]):
    require_api_perm(request, Perm.SEARCH)
    q = params.q
    found = search(user=request.user, query=q)
    record_event(
        action="search", actor=request.user, object_type="search", reason=q, request=request
    )
    return {
        "query": found.query,
        "cases": [
            {
                "reference": c.reference,
                "title": c.title,
                "status": c.status,
                "level_of_indicators": c.level_of_indicators,
                "imminent_danger": c.imminent_danger,
                "snippet": snippet_text(text=c.summary or c.title, words=found.words),
            }
            for c in found.cases
        ],
        "contacts": [
            {
                "id": c.pk,
                "started_at": c.started_at,
                "channel": c.channel,
                "reason": c.reason,
                "case_reference": c.case.reference if c.case is not None else None,
                "imminent_danger": c.imminent_danger,
                "level_of_indicators": c.level_of_indicators,
                "snippet": snippet_text(text=c.summary, words=found.words),
            }
            for c in found.contacts
        ],
    }
