"""Screening rules: from indicators to a level of indicators, and recording a screening.

A screening is about one person (the potential victim being assessed): every indicator
ticked is about that person, and "a minor" means that person is under 18 — by their age
or age band in the case, or the advocate's "is or appears to be under 18".

The level is the highest level of any rule that fires; the reasons shown are those of
the rules that fired at that level, each with the law it rests on. Every condition
below only asks whether something is *present*, so ticking one more indicator can never
lower the level. Where a rule needs both an exploitation and a means, they must be two
different indicators: one fact never proves two elements of the same conclusion.

United States — Trafficking Victims Protection Act, 22 U.S.C. 7102(11): (A) commercial
sex induced by force, fraud or coercion, or by a person under 18; (B) labour or services
obtained through force, fraud or coercion (for a minor too). One clear means is enough.
The HTCDS methods of control that are not force, fraud or coercion only point to one.

    | level    | when                                                                 |
    |----------|----------------------------------------------------------------------|
    | high     | the person is under 18 and in commercial sex            (11)(A)      |
    | high     | commercial sex + a force, fraud or coercion indicator   (11)(A)      |
    | high     | labour or services + a force, fraud or coercion indicator (11)(B)    |
    | moderate | commercial sex or labour + methods of control only: ask how the person is kept there |
    | low      | commercial sex or labour, no means ("high risk" in NHTH terms)        |
    | low      | forced marriage, illegal adoption, organ removal… (outside the TVPA) |
    | low      | means or control without commercial sex or labour                    |
    | low      | vulnerability / context indicators                                   |
    | none     | nothing ticked                                                       |

Mexico — Ley General para Prevenir, Sancionar y Erradicar los Delitos en Materia de
Trata de Personas (2012): the offence is the exploitation of a person in one of the
forms of art. 10, each defined in arts. 11–31; the means are not an element, and the
victim's consent is irrelevant (art. 40).

    | level    | when                                                                 |
    |----------|----------------------------------------------------------------------|
    | high     | an art. 10 form of exploitation of a person under 18                 |
    | high     | an art. 10 form of exploitation + a (different) means or control indicator |
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
from puente.audit.versioned import stale_write
from puente.cases import domain as cases_domain
from puente.cases.access import check_case_access
from puente.cases.models import Case, Person
from puente.cases.signals import case_changed
from puente.core.choices import (
    ExploitationType,
    IndicatorLevel,
    LegalFrame,
    MexicoExploitationForm,
    PersonRole,
)
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
MIN_CORRECTION_REASON = 10

TVPA = "TVPA, 22 U.S.C. 7102(11)"
TVPA_SEX = "TVPA, 22 U.S.C. 7102(11)(A)"
TVPA_LABOUR = "TVPA, 22 U.S.C. 7102(11)(B)"
LGT = "Ley General de Trata (2012), art. 10"
# Art. 10 fraction and the articles that define each form's offence (arts. 11–31).
LGT_ARTICLES: dict[str, str] = {
    MexicoExploitationForm.ESCLAVITUD: "fr. I, art. 11",
    MexicoExploitationForm.CONDICION_SIERVO: "fr. II, art. 12",
    MexicoExploitationForm.EXPLOTACION_SEXUAL: "fr. III, arts. 13–20",
    MexicoExploitationForm.EXPLOTACION_LABORAL: "fr. IV, art. 21",
    MexicoExploitationForm.TRABAJO_FORZADO: "fr. V, art. 22",
    MexicoExploitationForm.MENDICIDAD_FORZOSA: "fr. VI, art. 24",
    MexicoExploitationForm.MENORES_DELICTIVAS: "fr. VII, art. 25",
    MexicoExploitationForm.ADOPCION_ILEGAL: "fr. VIII, arts. 26–27",
    MexicoExploitationForm.MATRIMONIO_FORZOSO: "fr. IX, arts. 28–29",
    MexicoExploitationForm.TRAFICO_ORGANOS: "fr. X, art. 30",
    MexicoExploitationForm.EXPERIMENTACION: "fr. XI, art. 31",
}


@dataclass(frozen=True)
class Facts:
    """What the rules look at, derived once from the ticked indicators and the person.
    Each field is the set of indicator codes that show it, so a rule can name them."""

    codes: frozenset[str]
    sex: frozenset[str]
    labour: frozenset[str]
    tvpa_means: frozenset[str]
    control: frozenset[str]
    forms: frozenset[str]
    other_exploitation: frozenset[str]
    context: frozenset[str]
    minor: bool

    @classmethod
    def of(cls, codes: Iterable[str], *, person_is_minor: bool = False) -> Facts:
        items = [ind.get(code) for code in set(codes)]

        def having(test: Callable[[ind.Indicator], bool]) -> frozenset[str]:
            return frozenset(i.code for i in items if test(i))

        return cls(
            codes=having(lambda i: True),
            sex=having(lambda i: i.activity == ind.SEX),
            labour=having(lambda i: i.activity == ind.LABOUR),
            tvpa_means=having(lambda i: i.is_tvpa_means),
            control=having(lambda i: i.is_control),
            forms=having(lambda i: bool(i.mx_form)),
            other_exploitation=having(lambda i: i.group == ind.IndicatorGroup.OTHER_EXPLOITATION),
            context=having(lambda i: i.group == ind.IndicatorGroup.CONTEXT),
            minor=person_is_minor or any(i.says_minor for i in items),
        )


@dataclass(frozen=True)
class Evidence:
    """The indicators a conclusion rests on, by the element of the offence they show.
    `exploitation` and `means` never share an indicator."""

    exploitation: tuple[str, ...] = ()
    means: tuple[str, ...] = ()


def _shown(codes: frozenset[str]) -> Evidence | None:
    return Evidence(exploitation=tuple(sorted(codes))) if codes else None


def _means_shown(codes: frozenset[str]) -> Evidence | None:
    return Evidence(means=tuple(sorted(codes))) if codes else None


def _both(exploitation: frozenset[str], means: frozenset[str]) -> Evidence | None:
    """An exploitation and a means shown by *different* indicators, or nothing. An
    indicator that could be either counts once: as the exploitation if another shows
    the means, else as a means beside another exploitation."""
    if not exploitation or not means or len(exploitation | means) < 2:
        return None
    if exploitation - means:
        return Evidence(tuple(sorted(exploitation - means)), tuple(sorted(means)))
    # Every exploitation indicator is also a means: one of them is the exploitation.
    first = min(exploitation)
    return Evidence((first,), tuple(sorted(means - {first})))


@dataclass(frozen=True)
class Rule:
    level: str
    law: str
    finds: Callable[[Facts], Evidence | None]
    reason: Promise


# fmt: off
US_RULES: tuple[Rule, ...] = (
    Rule(HIGH, TVPA_SEX, lambda f: _shown(f.sex) if f.minor else None,
         _("The person is under 18 and involved in commercial sex: this is sex trafficking, with no need to show force, fraud or coercion.")),
    Rule(HIGH, TVPA_SEX, lambda f: _both(f.sex, f.tvpa_means),
         _("Commercial sex induced by force, fraud or coercion: every element of sex trafficking is indicated.")),
    Rule(HIGH, TVPA_LABOUR, lambda f: _both(f.labour, f.tvpa_means),
         _("Labor or services obtained through force, fraud or coercion: every element of labor trafficking is indicated.")),
    Rule(MODERATE, TVPA, lambda f: _both(f.sex | f.labour, f.control),
         _("Commercial sex or labor with methods of control that point to force, fraud or coercion, none of which is shown yet: ask how the person is kept there.")),
    Rule(LOW, TVPA, lambda f: _shown(f.sex | f.labour),
         _("Commercial sex or labor without a clear sign of force, fraud or coercion (high risk): ask how the person is kept there.")),
    Rule(LOW, TVPA, lambda f: _shown(f.other_exploitation),
         _("A form of exploitation outside the TVPA definition unless it involves labor or commercial sex: record it and refer.")),
    Rule(LOW, TVPA, lambda f: _means_shown(f.tvpa_means | f.control),
         _("Force, fraud, coercion or control without signs of commercial sex or labor: ask what the person is made to do.")),
    Rule(LOW, TVPA, lambda f: _shown(f.context),
         _("Vulnerability or context indicators: they raise concern but do not show trafficking on their own.")),
)

MX_RULES: tuple[Rule, ...] = (
    Rule(HIGH, LGT, lambda f: _shown(f.forms) if f.minor else None,
         _("A form of exploitation of art. 10 of the Ley General of a person under 18: the means are not required and consent is irrelevant (arts. 10 and 40).")),
    Rule(HIGH, LGT, lambda f: _both(f.forms, f.tvpa_means | f.control),
         _("A form of exploitation of art. 10 of the Ley General together with means of control (force, fraud, coercion or control).")),
    Rule(MODERATE, LGT, lambda f: _shown(f.forms),
         _("Evidence of a form of exploitation of art. 10 of the Ley General: under Mexican law the means are not required and consent is irrelevant (art. 40).")),
    Rule(LOW, LGT, lambda f: _shown(f.sex | f.labour),
         _("Labor conditions that can lead to exploitation, without evidence of a form of exploitation of art. 10.")),
    Rule(LOW, LGT, lambda f: _means_shown(f.tvpa_means | f.control),
         _("Means of control without evidence of a form of exploitation of art. 10: ask what the person is made to do.")),
    Rule(LOW, LGT, lambda f: _shown(f.context),
         _("Vulnerability or context indicators: they raise concern but do not show trafficking on their own.")),
)
# fmt: on

RULES: dict[str, tuple[Rule, ...]] = {LegalFrame.US_TVPA: US_RULES, LegalFrame.MX_LGT: MX_RULES}


@dataclass(frozen=True)
class Conclusion:
    """One rule that fired: its level, why, the law it rests on and the indicators."""

    level: str
    reason: Promise
    law: str
    frame: str
    exploitation: tuple[str, ...] = ()
    means: tuple[str, ...] = ()

    def as_stored(self) -> dict[str, Any]:
        # English source text: each reader sees it in their own language.
        with translation.override(None):
            reason = str(self.reason)
        return {
            "level": self.level,
            "frame": self.frame,
            "law": self.law,
            "reason": reason,
            "exploitation": list(self.exploitation),
            "means": list(self.means),
        }


@dataclass(frozen=True)
class Assessment:
    level: str
    reasons: list[Promise] = field(default_factory=list)
    mx_forms: list[str] = field(default_factory=list)
    methods_of_control: list[str] = field(default_factory=list)
    conclusions: list[Conclusion] = field(default_factory=list)
    htcds_forms: list[str] = field(default_factory=list)
    exploitation_type: str = ExploitationType.NOT_SPECIFIED.value


def default_legal_frame() -> str:
    return LegalFrame.MX_LGT.value if settings.PUENTE_COUNTRY == "MX" else LegalFrame.US_TVPA.value


def _check_indicators(indicators: Iterable[str]) -> None:
    unknown = ind.unknown_codes(indicators)
    if unknown:
        raise ValidationError(
            {"indicators": _("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)}}
        )


def _law(rule: Rule, evidence: Evidence) -> str:
    if rule.law != LGT:
        return rule.law
    forms = ind.mx_forms_for(evidence.exploitation)
    articles = [LGT_ARTICLES[form] for form in forms if form in LGT_ARTICLES]
    return f"{LGT} ({'; '.join(articles)})" if articles else LGT


def _exploitation_type(codes: Iterable[str]) -> str:
    activities = ind.activities_for(codes)
    if activities == {ind.SEX, ind.LABOUR}:
        return ExploitationType.SEX_AND_LABOUR.value
    if activities == {ind.SEX}:
        return ExploitationType.SEX.value
    if activities == {ind.LABOUR}:
        return ExploitationType.LABOUR.value
    if ind.mx_forms_for(codes):
        return ExploitationType.OTHER.value
    return ExploitationType.NOT_SPECIFIED.value


def assess(*, indicators: set[str], legal_frame: str, person_is_minor: bool = False) -> Assessment:
    """The level of indicators under one legal frame, with the reasons for it and the
    law each rests on. `person_is_minor`: the person screened is under 18 by their age or
    age band (ticking "is or appears to be under 18" says the same)."""
    _check_indicators(indicators)
    if legal_frame not in RULES:
        raise ValidationError({"legal_frame": _("Unknown legal frame.")})
    facts = Facts.of(indicators, person_is_minor=person_is_minor)
    fired: list[Conclusion] = []
    for rule in RULES[legal_frame]:
        evidence = rule.finds(facts)
        if evidence is not None:
            fired.append(
                Conclusion(
                    level=rule.level,
                    reason=rule.reason,
                    law=_law(rule, evidence),
                    frame=legal_frame,
                    exploitation=evidence.exploitation,
                    means=evidence.means,
                )
            )
    level = max((c.level for c in fired), key=IndicatorLevel.rank, default=NONE)
    deciding = [c for c in fired if c.level == level]
    return Assessment(
        level=level,
        reasons=[c.reason for c in deciding],
        conclusions=deciding,
        mx_forms=ind.mx_forms_for(facts.codes),
        methods_of_control=ind.methods_of_control_for(facts.codes),
        htcds_forms=ind.htcds_forms_for(facts.codes),
        exploitation_type=_exploitation_type(facts.codes),
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


def is_potential_victim(person: Person) -> bool:
    # A person may hold several roles in a case (`roles`), or one (`role`).
    roles = getattr(person, "roles", None) or [getattr(person, "role", "")]
    return PersonRole.POTENTIAL_VICTIM in roles


def _reindex_case_on_commit(case_id: int) -> None:
    transaction.on_commit(lambda: case_changed.send(sender=Case, case_id=case_id))


def _fill_case(*, case: Case, screening: Screening, raise_only: bool) -> list[dict[str, Any]]:
    """Carry a screening's findings into its case's HTCDS fields: its level, and the
    forms of exploitation and methods of control it shows, added to those already
    there (an advocate's own entries are never dropped). `raise_only`: the level is
    set only if higher (a screening brought in with a contact), else always (a new one).
    Returns the audit changes. Run inside a transaction."""
    codes = list(screening.indicators or [])
    # Locked so two screenings of one case cannot each drop the other's findings.
    row = Case.objects.select_for_update().filter(pk=case.pk).values(*CASE_FINDINGS).get()
    after: dict[str, Any] = dict(row)
    level = screening.level
    old_level = row["level_of_indicators"] or NONE
    if not raise_only or IndicatorLevel.rank(level) > IndicatorLevel.rank(old_level):
        after["level_of_indicators"] = level
    for name, found in (
        ("methods_of_control", ind.methods_of_control_for(codes)),
        ("forms_of_exploitation", ind.htcds_forms_for(codes)),
        ("mx_forms_of_exploitation", ind.mx_forms_for(codes)),
    ):
        kept = list(row[name] or [])
        after[name] = kept + [code for code in found if code not in kept]
    found_type = _exploitation_type(codes)
    if row["exploitation_type"] == ExploitationType.NOT_SPECIFIED and found_type != (
        ExploitationType.NOT_SPECIFIED
    ):
        after["exploitation_type"] = found_type
    changes = field_changes(
        {f"case.{k}": v for k, v in row.items()}, {f"case.{k}": v for k, v in after.items()}
    )
    if changes:
        # A new version: anyone editing the case from a page read before this
        # screening must not silently write the old values back.
        Case.objects.filter(pk=case.pk).update(
            **after, version=F("version") + 1, updated_at=timezone.now()
        )
        for name, value in after.items():
            setattr(case, name, value)
        _reindex_case_on_commit(case.pk)
    return changes


CASE_FINDINGS = (
    "level_of_indicators",
    "methods_of_control",
    "forms_of_exploitation",
    "mx_forms_of_exploitation",
    "exploitation_type",
)


def _subject(*, contact: Contact | None, case: Case | None, person: Person | None) -> Case | None:
    """The case a screening belongs to: the one named, the person's, or the contact's."""
    candidates = {
        c.pk: c
        for c in (case, person.case if person else None, contact.case if contact else None)
        if c is not None
    }
    if len(candidates) > 1:
        raise ValidationError(
            {"person": _("The person, the contact and the case must belong to one case.")}
        )
    if person is not None and not is_potential_victim(person):
        raise ValidationError({"person": _("Screen a potential victim of the case.")})
    return next(iter(candidates.values()), None)


def record_screening(
    *,
    by: User,
    contact: Contact | None = None,
    case: Case | None = None,
    person: Person | None = None,
    indicators: Iterable[str],
    legal_frame: str | None = None,
    override_level: str = "",
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> Screening:
    """Store a screening of one person, set the level of indicators on its contact and
    case, and fill the case's forms of exploitation and methods of control from it. A
    contact already filed in a case screens for that case."""
    codes = sorted(set(indicators))
    legal_frame = legal_frame or default_legal_frame()
    override_reason = (override_reason or "").strip()
    if contact is None and case is None and person is None:
        raise ValidationError(_("A screening needs a contact or a case."))
    case = _subject(contact=contact, case=case, person=person)
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
    assessment = assess(
        indicators=set(codes),
        legal_frame=legal_frame,
        person_is_minor=bool(person and person.is_minor),
    )

    with transaction.atomic():
        screening = Screening.objects.create(
            contact=contact,
            case=case,
            person=person,
            legal_frame=legal_frame,
            indicators=codes,
            computed_level=assessment.level,
            reasons=_untranslated(assessment.reasons),
            conclusions=[c.as_stored() for c in assessment.conclusions],
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
        if person is not None:
            changes.append({"field": "person", "old": None, "new": person.pk})
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
            changes += _fill_case(case=case, screening=screening, raise_only=False)
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


def attach_contact_screenings(
    *, contact_id: int, case_id: int, by: User | None, request: HttpRequest | None = None
) -> list[Screening]:
    """A contact was filed in a case (or opened one): its screenings go with it, and
    the case's HTCDS fields take in their findings. Called by the intake app's
    `contact_filed` signal, inside the transaction that filed the contact. A person
    screened in another case is no longer the subject in this one."""
    moved = list(
        Screening.objects.select_for_update(of=("self",))
        .filter(contact_id=contact_id)
        .exclude(case_id=case_id)
        .select_related("person")
        .order_by("created_at", "id")
    )
    if not moved:
        return []
    case = Case.objects.get(pk=case_id)
    for screening in moved:
        old_case = screening.case_id
        screening.case = case
        if screening.person is not None and screening.person.case_id != case_id:
            screening.person = None
        screening.save(update_fields=["case", "person"])
        changes: list[dict[str, Any]] = [{"field": "case", "old": old_case, "new": case_id}]
        changes += _fill_case(case=case, screening=screening, raise_only=True)
        record_event(
            action="change",
            actor=by,
            obj=screening,
            object_ref=case.reference,
            changes=changes,
            request=request,
            reason="contact filed in case",
        )
    return moved


CORRECTABLE = frozenset(CASE_FINDINGS)


def correct_case_findings(
    *,
    case: Case,
    by: User,
    expected_version: int,
    changes: dict[str, Any],
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """An advocate corrects what screenings put in a case (its level, forms of
    exploitation, methods of control, type). Unlike a plain edit, a correction says why:
    the audit entry names who changed what, from what, and the reason given."""
    reason = (reason or "").strip()
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in sorted(unknown)}
        )
    check_case_access(user=by, case=case, edit=True, request=request)
    errors: dict[str, list] = {}
    values = dict(changes)
    for name, choices in cases_domain.CASE_MULTISELECTS.items():
        if name in values:
            try:
                values[name] = cases_domain.clean_codes(
                    field=name, values=values[name], choices=choices
                )
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if "level_of_indicators" in values and values["level_of_indicators"] not in (
        "",
        *IndicatorLevel.values,
    ):
        errors.setdefault("level_of_indicators", []).append(_("Choose a level from the list."))
    if "exploitation_type" in values and values["exploitation_type"] not in (
        ExploitationType.values
    ):
        errors.setdefault("exploitation_type", []).append(_("Choose a type from the list."))
    if len(reason) < MIN_CORRECTION_REASON:
        errors.setdefault("reason", []).append(
            _("Write why you correct the screening's findings (at least %(n)d characters).")
            % {"n": MIN_CORRECTION_REASON}
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.version != expected_version:
            raise stale_write(obj=current)
        before = {name: getattr(current, name) for name in values}
        diff = field_changes(before, values)
        if not diff:
            return current
        Case.objects.filter(pk=case.pk).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        current.refresh_from_db()
        record_event(
            action="change",
            actor=by,
            obj=current,
            changes=diff,
            reason=reason,
            request=request,
        )
        _reindex_case_on_commit(current.pk)
    return current


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
