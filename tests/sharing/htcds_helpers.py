"""Builders shared by the HTCDS tests: a case with everything a hotline records, what a
case looks like once read back (for "the same case"), and running an export or import
the way the worker does."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from puente.cases import domain as cases
from puente.cases.models import Case
from puente.sharing.htcds import domain
from puente.sharing.models.htcds import HtcdsImport

CASE_FIELDS = (
    "title",
    "status",
    "closing_reason",
    "closing_note",
    "summary",
    "exploitation_type",
    "forms_of_exploitation",
    "mx_forms_of_exploitation",
    "venues",
    "methods_of_control",
    "methods_of_recruitment",
    "hotline_recruitment_methods",
    "types_of_sex_exploitation",
    "forced_labour_industries",
    "recruitment_websites_and_apps",
    "exploitation_websites_and_apps",
    "level_of_indicators",
    "imminent_danger",
    "restricted",
    "created_at",
    "closed_at",
)
PERSON_FIELDS = tuple(sorted(cases.PERSON_FIELDS))


def rich_case(*, by, title: str = "Ranch workers, Tulare County", **overrides: Any) -> Case:
    """A case holding every kind of thing an export carries: two potential victims (one
    also the signaler), a business exploiter, identifiers of people and of the case,
    places, the hotline's own categories and a cell that would be a formula."""
    fields: dict[str, Any] = dict(
        title=title,
        summary='=HYPERLINK("http://evil.example") workers said the foreman keeps passports',
        exploitation_type="labour",
        forms_of_exploitation=["ForcedLabour", "Servitude"],
        mx_forms_of_exploitation=["trabajo_forzado"],
        venues=["agriculture_animal_husbandry"],
        methods_of_control=["DebtBondage", "WithholdsDocuments", "RestrictsMovement"],
        methods_of_recruitment=["ThroughFriendsOrSocialEvents"],
        hotline_recruitment_methods=["false_job_offer"],
        forced_labour_industries=["A_AgricultureForestryAndFishing"],
        recruitment_websites_and_apps=["WhatsApp"],
        exploitation_websites_and_apps=[],
        level_of_indicators="high",
        imminent_danger=True,
        status="active",
        opened_at=timezone.make_aware(datetime(2025, 11, 3, 14, 30)),
    )
    fields.update(overrides)
    case = cases.open_case(by=by, **fields)
    cases.add_person(
        case=case,
        by=by,
        roles=["potential_victim", "signaler"],
        first_name="María José",
        last_name="Pérez",
        salutation="Sra.",
        age=34,
        gender="Feminine",
        citizenship=["MX", "GT"],
        nationality="MX",
        primary_language="spa",
        trafficking_status="PossibleVictimOfTrafficking",
        trafficking_status_decided_by="NGO",
        relationship_to_trafficker="Acquainted",
        consent=True,
        notes="Prefers calls after 8 pm.",
        identifiers=[
            ("phone", "+15595550123"),
            ("phone", "+525512345678"),
            ("email", "mjperez@example.org"),
            ("social", "@mariajose"),
        ],
    )
    cases.add_person(
        case=case,
        by=by,
        roles=["potential_victim"],
        alias="El Güero",
        age_band="9-17",
        birthdate=date(2010, 5, 1),
        gender="Masculine",
        consent=False,
    )
    cases.add_person(
        case=case,
        by=by,
        roles=["exploiter"],
        is_business=True,
        alias="Valle Verde Labor Contractors",
        roles_in_process=["RecruiterOrIntermediary", "Exploiter"],
        notes="-Runs two crews; @ranch office",
        identifiers=[("address", "1200 Road 68, Tulare, CA")],
    )
    cases.add_identifier(case=case, kind="vehicle", value="CA 8ABC123", by=by)
    cases.add_location(
        case=case, by=by, kind="Exploitation", country="US", subdivision="US-CA", city="Tulare"
    )
    cases.add_location(
        case=case, by=by, kind="Recruitment", country="MX", subdivision="MX-MIC", city="Zamora",
        description="Plaza, Sunday market",
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


def snapshot(case: Case) -> dict[str, Any]:
    """What makes a case the same case: its fields, its people (with their identifiers),
    the case's own identifiers and its places. Not its reference, owner, notes or audit."""
    persons = []
    for person in case.persons.order_by("id"):
        persons.append(
            {
                **{f: getattr(person, f) for f in PERSON_FIELDS},
                "identifiers": sorted(person.identifiers.values_list("kind", "value")),
            }
        )
    return {
        **{f: getattr(case, f) for f in CASE_FIELDS},
        "persons": persons,
        "identifiers": sorted(
            case.identifiers.filter(person__isnull=True).values_list("kind", "value")
        ),
        "locations": sorted(
            case.locations.values_list("kind", "country", "subdivision", "city", "description")
        ),
    }


def export_to(path: Path, *, by, file_format: str, language: str = "en", **selection: Any):
    job = domain.request_export(
        by=by, selection=domain.Selection(**selection), file_format=file_format,
        language=language, via="cli",
    )  # fmt: skip
    return domain.write_export(export_id=job.pk, out=path)


def upload(path: Path, *, by) -> HtcdsImport:
    data = path.read_bytes()
    return domain.receive_file(by=by, name=path.name, chunks=[data], size=len(data), via="cli")


def checked(path: Path, *, by) -> HtcdsImport:
    return domain.check_import(import_id=upload(path, by=by).pk)


def imported(path: Path, *, by, only_valid: bool = False) -> HtcdsImport:
    batch = checked(path, by=by)
    domain.confirm_import(batch=batch, by=by, only_valid=only_valid)
    return domain.run_import(import_id=batch.pk)
