from datetime import datetime

from ninja import Router, Schema

from puente.accounts.api_auth import require_api_perm
from puente.audit.domain import record_event
from puente.core.permissions import Perm
from puente.search.queries import search
from puente.search.snippets import snippet_text

router = Router(tags=["search"])


class CaseHit(Schema):
    reference: str
    title: str
    status: str
    level_of_indicators: str
    imminent_danger: bool
    snippet: str


class ContactHit(Schema):
    id: int
    started_at: datetime
    channel: str
    reason: str
    case_reference: str | None
    imminent_danger: bool
    level_of_indicators: str
    snippet: str


class SearchOut(Schema):
    query: str
    cases: list[CaseHit]
    contacts: list[ContactHit]


@router.get("", response=SearchOut, summary="Search cases and contacts")
def search_endpoint(request, q: str):
    require_api_perm(request, Perm.SEARCH)
    found = search(user=request.user, query=q[:200])
    record_event(
        action="search", actor=request.user, object_type="search", reason=q[:200], request=request
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
