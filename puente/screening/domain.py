"""Screening rules: from indicators to a level of indicators, and recording a screening.

The level is the highest level of any rule that fires; the reasons shown are those of
the rules that fired at that level. Every condition below only asks whether something
is *present*, so ticking one more indicator can never lower the level.

United States — Trafficking Victims Protection Act (22 U.S.C. 7102(11)): sex
trafficking of a minor needs no force, fraud or coercion; for adults, and for labour
or services, the means must be shown.

    | level    | when                                                                 |
    |----------|----------------------------------------------------------------------|
    | high     | a person under 18 in commercial sex                                  |
    | high     | commercial sex or labour + means from 2+ of force/fraud/coercion/control |
    | moderate | commercial sex or labour + means from 1 of those groups              |
    | low      | commercial sex or labour, no means ("high risk" in NHTH terms)        |
    | low      | forced marriage, illegal adoption, organ removal… (outside the TVPA) |
    | low      | means without commercial sex or labour                               |
    | low      | vulnerability / context indicators                                   |
    | none     | nothing ticked                                                       |

Mexico — Ley General para Prevenir, Sancionar y Erradicar los Delitos en Materia de
Trata de Personas (2012): the offence is the exploitation of a person in one of the
forms of art. 10; the means are not an element, and the victim's consent is
irrelevant (art. 40).

    | level    | when                                                                 |
    |----------|----------------------------------------------------------------------|
    | high     | an art. 10 form of exploitation + a person under 18                  |
    | high     | an art. 10 form of exploitation + a (different) means indicator      |
    | moderate | an art. 10 form of exploitation                                      |
    | low      | labour conditions with no art. 10 form (fees, employer housing)      |
    | low      | means without an art. 10 form                                        |
    | low      | vulnerability / context indicators                                   |
    | none     | nothing ticked                                                       |

The rules guide; they do not decide. An advocate may override the level, but only by
writing why, and the override is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.cases.access import check_case_access
from puente.cases.models import Case
from puente.core.choices import IndicatorLevel, LegalFrame
from puente.core.permissions import Perm
from puente.intake.models import Contact
from puente.screening import indicators as ind
from puente.screening.models import Protocol, Screening

HIGH, MODERATE, LOW, NONE = (
    IndicatorLevel.HIGH.value,
    IndicatorLevel.MODERATE.value,
    IndicatorLevel.LOW.value,
    IndicatorLevel.NONE.value,
)
MIN_OVERRIDE_REASON = 10


@dataclass(frozen=True)
class Facts:
    """What the rules look at, derived once from the ticked indicators."""

    codes: frozenset[str]
    means: frozenset[str]
    means_groups: frozenset[str]
    activities: frozenset[str]
    minor: bool
    form_codes: frozenset[str]
    other_exploitation: bool
    context: bool

    @classmethod
    def of(cls, codes: Iterable[str]) -> Facts:
        items = [ind.get(code) for code in set(codes)]
        return cls(
            codes=frozenset(i.code for i in items),
            means=frozenset(i.code for i in items if i.is_means),
            means_groups=frozenset(str(i.group) for i in items if i.is_means),
            activities=frozenset(i.activity for i in items if i.activity),
            minor=any(i.minor for i in items),
            form_codes=frozenset(i.code for i in items if i.mx_form),
            other_exploitation=any(i.group == ind.IndicatorGroup.OTHER_EXPLOITATION for i in items),
            context=any(i.group == ind.IndicatorGroup.CONTEXT for i in items),
        )


@dataclass(frozen=True)
class Rule:
    level: str
    applies: Callable[[Facts], bool]
    reason: Promise


# fmt: off
US_RULES: tuple[Rule, ...] = (
    Rule(HIGH, lambda f: ind.SEX in f.activities and f.minor,
         _("A person under 18 is involved in commercial sex: under the TVPA this is sex trafficking, with no need to show force, fraud or coercion (22 U.S.C. 7102).")),
    Rule(HIGH, lambda f: bool(f.activities) and len(f.means_groups) >= 2,
         _("Commercial sex or labour together with indicators from two or more of force, fraud, coercion and control.")),
    Rule(MODERATE, lambda f: bool(f.activities) and len(f.means_groups) >= 1,
         _("Commercial sex or labour together with indicators from one of force, fraud, coercion or control.")),
    Rule(LOW, lambda f: bool(f.activities),
         _("Commercial sex or labour without a clear sign of force, fraud or coercion (high risk): ask how the person is kept there.")),
    Rule(LOW, lambda f: f.other_exploitation,
         _("A form of exploitation outside the TVPA definition unless it involves labour or commercial sex: record it and refer.")),
    Rule(LOW, lambda f: bool(f.means),
         _("Force, fraud, coercion or control without signs of commercial sex or labour: ask what the person is made to do.")),
    Rule(LOW, lambda f: f.context,
         _("Vulnerability or context indicators: they raise concern but do not show trafficking on their own.")),
)

MX_RULES: tuple[Rule, ...] = (
    Rule(HIGH, lambda f: bool(f.form_codes) and f.minor,
         _("A form of exploitation of art. 10 of the Ley General involving a person under 18: the means are not required and consent is irrelevant (arts. 10 and 40).")),
    Rule(HIGH, lambda f: bool(f.form_codes) and bool(f.means) and len(f.form_codes | f.means) >= 2,
         _("A form of exploitation of art. 10 of the Ley General together with means of control (force, fraud, coercion or control).")),
    Rule(MODERATE, lambda f: bool(f.form_codes),
         _("Evidence of a form of exploitation of art. 10 of the Ley General: under Mexican law the means are not required and consent is irrelevant (art. 40).")),
    Rule(LOW, lambda f: bool(f.activities),
         _("Labour conditions that can lead to exploitation, without evidence of a form of exploitation of art. 10.")),
    Rule(LOW, lambda f: bool(f.means),
         _("Means of control without evidence of a form of exploitation of art. 10: ask what the person is made to do.")),
    Rule(LOW, lambda f: f.context,
         _("Vulnerability or context indicators: they raise concern but do not show trafficking on their own.")),
)
# fmt: on

RULES: dict[str, tuple[Rule, ...]] = {LegalFrame.US_TVPA: US_RULES, LegalFrame.MX_LGT: MX_RULES}


@dataclass(frozen=True)
class Assessment:
    level: str
    reasons: list[Promise] = field(default_factory=list)
    mx_forms: list[str] = field(default_factory=list)
    methods_of_control: list[str] = field(default_factory=list)


def default_legal_frame() -> str:
    return LegalFrame.MX_LGT.value if settings.PUENTE_COUNTRY == "MX" else LegalFrame.US_TVPA.value


def _check_indicators(indicators: Iterable[str]) -> None:
    unknown = ind.unknown_codes(indicators)
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)}}
        )


def assess(*, indicators: set[str], legal_frame: str) -> Assessment:
    """The level of indicators under one legal frame, with the reasons for it."""
    _check_indicators(indicators)
    if legal_frame not in RULES:
        raise ValidationError({"legal_frame": _("Unknown legal frame.")})
    facts = Facts.of(indicators)
    fired = [rule for rule in RULES[legal_frame] if rule.applies(facts)]
    level = max((rule.level for rule in fired), key=IndicatorLevel.rank, default=NONE)
    return Assessment(
        level=level,
        reasons=[rule.reason for rule in fired if rule.level == level],
        mx_forms=ind.mx_forms_for(facts.codes),
        methods_of_control=ind.methods_of_control_for(facts.codes),
    )


def _untranslated(texts: Iterable[Promise]) -> list[str]:
    # Stored as the English source text, so each reader sees them in their own language
    # (`Screening.reasons_display`) while the words stay exactly those of the rule.
    with translation.override(None):
        return [str(text) for text in texts]


def _check_may_screen(
    *, by: User, contact: Contact | None, case: Case | None, request: HttpRequest | None
) -> None:
    """A screening changes the case it is filed in: it needs the right to edit that case."""
    if not getattr(by, "is_authenticated", False) or not by.can(Perm.SCREENING_RECORD):
        raise PermissionDenied
    for linked in {c for c in (case, getattr(contact, "case", None)) if c is not None}:
        check_case_access(user=by, case=linked, edit=True, request=request)


def record_screening(
    *,
    by: User,
    contact: Contact | None = None,
    case: Case | None = None,
    indicators: Iterable[str],
    legal_frame: str | None = None,
    override_level: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> Screening:
    """Store a screening, set the level of indicators on its contact and/or case, and add
    the methods of control it shows to the case."""
    codes = sorted(set(indicators))
    legal_frame = legal_frame or default_legal_frame()
    override_reason = (override_reason or "").strip()
    if contact is None and case is None:
        raise ValidationError(_("A screening needs a contact or a case."))
    _check_may_screen(by=by, contact=contact, case=case, request=request)
    errors: dict[str, list] = {}
    if override_level and override_level not in IndicatorLevel.values:
        errors.setdefault("override_level", []).append(_("Choose a level from the list."))
    if override_level and len(override_reason) < MIN_OVERRIDE_REASON:
        errors.setdefault("override_reason", []).append(
            _("Write why you set a different level (at least %(n)d characters).")
            % {"n": MIN_OVERRIDE_REASON}
        )
    if override_reason and not override_level:
        errors.setdefault("override_level", []).append(
            _("Choose the level you are setting, or leave the reason empty.")
        )
    if errors:
        raise ValidationError(errors)
    assessment = assess(indicators=set(codes), legal_frame=legal_frame)

    with transaction.atomic():
        screening = Screening.objects.create(
            contact=contact,
            case=case,
            legal_frame=legal_frame,
            indicators=codes,
            computed_level=assessment.level,
            reasons=_untranslated(assessment.reasons),
            override_level=override_level,
            override_reason=override_reason if override_level else "",
            screened_by=by,
        )
        level = screening.level
        changes: list[dict[str, Any]] = [
            {"field": "legal_frame", "old": None, "new": legal_frame},
            {"field": "indicators", "old": None, "new": codes},
            {"field": "computed_level", "old": None, "new": assessment.level},
        ]
        if contact is not None:
            old = (
                Contact.objects.filter(pk=contact.pk)
                .values_list("level_of_indicators", flat=True)
                .first()
            )
            Contact.objects.filter(pk=contact.pk).update(level_of_indicators=level)
            contact.level_of_indicators = level
            changes.append(
                {"field": f"contact:{contact.pk}.level_of_indicators", "old": old, "new": level}
            )
        if case is not None:
            # Locked so two screenings of one case cannot each drop the other's methods.
            row = (
                Case.objects.select_for_update()
                .filter(pk=case.pk)
                .values("level_of_indicators", "methods_of_control")
                .get()
            )
            methods = list(row["methods_of_control"] or [])
            methods += [m for m in assessment.methods_of_control if m not in methods]
            # A new version: anyone editing the case from a page read before this
            # screening must not silently write the old level back.
            Case.objects.filter(pk=case.pk).update(
                level_of_indicators=level,
                methods_of_control=methods,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            case.level_of_indicators, case.methods_of_control = level, methods
            changes += field_changes(
                {
                    "case.level_of_indicators": row["level_of_indicators"],
                    "case.methods_of_control": row["methods_of_control"],
                },
                {"case.level_of_indicators": level, "case.methods_of_control": methods},
            )
        object_ref = case.reference if case is not None else ""
        record_event(
            action="create",
            actor=by,
            obj=screening,
            object_ref=object_ref,
            changes=changes,
            request=request,
        )
        if override_level:
            record_event(
                action="override",
                actor=by,
                obj=screening,
                object_ref=object_ref,
                changes=[{"field": "level", "old": assessment.level, "new": override_level}],
                reason=override_reason,
                request=request,
            )
    return screening


PROTOCOL_FIELDS = ("title_en", "title_es", "steps_en", "steps_es")


def update_protocol(
    *, protocol: Protocol, by: User, request: HttpRequest | None = None, **values: str
) -> Protocol:
    """Change a protocol's wording; the audit keeps the old text of every field changed."""
    if not getattr(by, "is_authenticated", False) or not by.can(Perm.PROTOCOL_EDIT):
        raise PermissionDenied
    unknown = set(values) - set(PROTOCOL_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown protocol field: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = Protocol.objects.select_for_update().get(pk=protocol.pk)
        before = {name: getattr(locked, name) for name in PROTOCOL_FIELDS}
        for name, value in values.items():
            setattr(locked, name, value)
        locked.full_clean()
        after = {name: getattr(locked, name) for name in PROTOCOL_FIELDS}
        changes = field_changes(before, after)
        if changes:
            locked.save()
            record_event(action="change", actor=by, obj=locked, changes=changes, request=request)
    return locked
