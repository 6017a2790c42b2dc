"""A case's screenings on its timeline (registered in `ScreeningConfig.ready()`):
the newest screenings of the case, by the (case, created) index, each with its level,
the legal frame it was made under and the person screened."""

from __future__ import annotations

from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.cases.models import Case
from puente.cases.timeline import TimelineEntry, display_name
from puente.core import choices as c
from puente.screening.models import Screening


def screening_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    screenings = (
        Screening.objects.filter(case=case)
        .select_related("screened_by", "person")
        .order_by("-created_at", "-id")[:limit]
    )
    entries = []
    for screening in screenings:
        detail = [screening.get_legal_frame_display()]
        if screening.person is not None:
            detail.append(screening.person.display_name)
        if screening.override_level:
            detail.append(_("level set by the advocate"))
        entries.append(
            TimelineEntry(
                when=screening.created_at,
                kind="screening",
                icon="screening",
                title=_("Screened: %(level)s")
                % {"level": c.label_for(c.IndicatorLevel, screening.level)},
                detail=" · ".join(str(part) for part in detail),
                url="#screenings",
                who=display_name(screening.screened_by),
            )
        )
    return entries
