"""The columns of an HTCDS exchange file: which HTCDS field (or `ext_` extension) each
Puente field travels in, its label as the standard's Excel template prints it, and the
picklist its values come from. docs/htcds-mapping.md is the prose of this table.

One row per person in a case (roles in `ext_PersonRoles`), the case's own fields
repeated on each of its rows and `ext_CaseReference` grouping the rows back into their
case; a case with nobody in it yet is one row with the person columns empty. Why: HTCDS's
`prs_` table describes a person in any role and its Excel template is one row per
person; a hotline's case holds exploiters and signalers beside its potential victims,
and a round trip must lose none of them. Other organisations' files (one row per victim,
no `ext_` columns) import as one case per row, each person a potential victim.

The template's first 38 columns come first, in its order, so a file we write opens in
the layout people who use the template know; the HTCDS fields the template leaves out
follow; then Puente's extensions, all prefixed `ext_` as in the exchange
(puente/federation/schema.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core import choices as c

# The field of the template whose name IOM misspelt: read under either spelling.
MISSPELT = {"vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg"}
# Multi-select values are joined with this, as the standard's Excel toolkit does.
MULTI_SEPARATOR = ";"

CASE = "case"
PERSON = "person"

# Kinds of value: what a cell holds and how it is read.
TEXT = "text"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
NUMBER = "number"
CODE = "code"
CODES = "codes"
COUNTRIES = "countries"
COUNTRY = "country"
JSON = "json"  # a list written as JSON in one cell (identifiers, locations)


class HtcdsCaseStatus(models.TextChoices):
    """HTCDS cas_Status: coarser than Puente's workflow (see docs/htcds-mapping.md)."""

    ACTIVE = "Active", pgettext_lazy("HTCDS case status", "Active")
    FOLLOW_UP = "FollowUp", pgettext_lazy("HTCDS case status", "Follow up")
    CLOSED = "Closed", pgettext_lazy("HTCDS case status", "Closed")
    CLOSED_REFERRED = "ClosedReferred", pgettext_lazy("HTCDS case status", "Closed, referred")


@dataclass(frozen=True)
class Column:
    name: str
    # The English label as the standard's template prints it (the file's label row).
    label_en: str
    # The same label in the reader's language (the Spanish one is Puente's translation).
    label: object
    kind: str
    level: str
    choices: type[models.TextChoices] | None = None
    # Other names this column is read under (a misspelling in the template).
    aliases: tuple[str, ...] = field(default=())

    @property
    def is_extension(self) -> bool:
        return self.name.startswith("ext_")


def _col(
    name: str,
    label_en: str,
    label: object,
    kind: str,
    level: str,
    choices: type[models.TextChoices] | None = None,
    aliases: tuple[str, ...] = (),
) -> Column:
    return Column(name, label_en, label, kind, level, choices, aliases)


# fmt: off
COLUMNS: tuple[Column, ...] = (
    # --- the standard's Excel template, its order ---------------------------------------
    _col("cas_CaseOwner", "Case Owner", _("Case Owner"), TEXT, CASE),
    _col("prs_Salutation", "Salutation", _("Salutation"), TEXT, PERSON),
    _col("prs_FirstName", "First Name", _("First Name"), TEXT, PERSON),
    _col("prs_SecondName", "Second Name", _("Second Name"), TEXT, PERSON),
    _col("con_Consent", "Consent", _("Consent"), BOOL, PERSON),
    _col("prs_Birthdate", "Birthdate", _("Birthdate"), DATE, PERSON),
    _col("prs_Gender", "Gender", _("Gender"), CODE, PERSON, c.Gender),
    _col("prs_Citizenship", "Citizenship", _("Citizenship"), COUNTRIES, PERSON),
    _col("prs_Title", "Title", pgettext_lazy("HTCDS job title", "Title"), TEXT, PERSON),
    _col("prs_Email", "Email", _("Email"), TEXT, PERSON),
    _col("prs_HomePhone", "Home Phone", _("Home Phone"), TEXT, PERSON),
    _col("prs_MobilePhone", "Mobile Phone", _("Mobile Phone"), TEXT, PERSON),
    _col("prs_MailingStreet", "Mailing Street", _("Mailing Street"), TEXT, PERSON),
    _col("prs_MailingCity", "Mailing City", _("Mailing City"), TEXT, PERSON),
    _col("prs_MailingState", "Mailing State/Province", _("Mailing State/Province"), TEXT, PERSON),
    _col("prs_MailingPostalCode", "Mailing Zip/Postal Code", _("Mailing Zip/Postal Code"), TEXT, PERSON),  # noqa: E501
    _col("prs_MailingCountry", "Mailing Country", _("Mailing Country"), TEXT, PERSON),
    _col("vic_TraffickingStatus", "Trafficking Status", _("Trafficking Status"), CODE, PERSON, c.TraffickingStatus),  # noqa: E501
    _col(
        "vic_TraffickingStatusDecisionMakingOrg",
        "Trafficking Status Decision Making Organization",
        _("Trafficking Status Decision Making Organization"),
        CODE, PERSON, c.TraffickingStatusDecisionMakingOrg,
        aliases=tuple(MISSPELT),
    ),
    _col("vic_MethodOfRecruitment", "Method of Recruitment", _("Method of Recruitment"), CODES, CASE, c.MethodOfRecruitment),  # noqa: E501
    _col("vic_LocationOfRecruitment", "Location of Recruitment", _("Location of Recruitment"), TEXT, CASE),  # noqa: E501
    _col("vic_MethodsOfControl", "Methods of Control", _("Methods of Control"), CODES, CASE, c.MethodOfControl),  # noqa: E501
    _col("vic_TypeOfExploitation", "Type of Exploitation", _("Type of Exploitation"), CODES, CASE, c.TypeOfExploitation),  # noqa: E501
    _col("vic_ForcedLabourIndustry", "Forced Labour Industry", _("Forced Labour Industry"), CODES, CASE, c.ForcedLabourIndustry),  # noqa: E501
    _col("vic_TypeOfSexExploitation", "Type of Sex Exploitation", _("Type of Sex Exploitation"), CODES, CASE, c.TypeOfSexExploitation),  # noqa: E501
    _col("vic_LocationOfExploitation", "Location of Exploitation", _("Location of Exploitation"), TEXT, CASE),  # noqa: E501
    _col("cas_Status", "Status", pgettext_lazy("HTCDS case status", "Status"), CODE, CASE, HtcdsCaseStatus),  # noqa: E501
    _col("cas_ReferringOrganisation", "Referring Organisation", _("Referring Organisation"), TEXT, CASE),  # noqa: E501
    _col("cas_IncomingReferralDate", "Incoming Referral Date", _("Incoming Referral Date"), TEXT, CASE),  # noqa: E501
    _col("cas_ReferringPrimaryCaseWorker", "Referring Primary Case Worker", _("Referring Primary Case Worker"), TEXT, CASE),  # noqa: E501
    _col("cas_ReasonForIncomingReferral", "Reason for Incoming Referral", _("Reason for Incoming Referral"), TEXT, CASE),  # noqa: E501
    _col("cas_IncomingReferralDetails", "Incoming Referral Details", _("Incoming Referral Details"), TEXT, CASE),  # noqa: E501
    _col("cas_ReferredOrganisation", "Referred Organisation", _("Referred Organisation"), TEXT, CASE),  # noqa: E501
    _col("cas_ReferredPrimaryCaseWorker", "Referred Primary Case Worker", _("Referred Primary Case Worker"), TEXT, CASE),  # noqa: E501
    # The template prints this label over a column with no field name.
    _col("cas_ReasonForOutgoingReferral", "Reason for Outgoing Referral", _("Reason for Outgoing Referral"), TEXT, CASE),  # noqa: E501
    _col("cas_OutgoingReferralDate", "Outgoing Referral Date", _("Outgoing Referral Date"), TEXT, CASE),  # noqa: E501
    _col("cas_OutgoingReferralDetails", "Outgoing Referral Details", _("Outgoing Referral Details"), TEXT, CASE),  # noqa: E501
    _col("cas_ReasonForCaseClosure", "Reason for Case Closure", _("Reason for Case Closure"), TEXT, CASE),  # noqa: E501
    # --- HTCDS fields the template leaves out -------------------------------------------
    _col("prs_PrimaryLanguage", "Primary Language", _("Primary Language"), CODE, PERSON, c.Language),  # noqa: E501
    _col("vic_RelationshipToTrafficker", "Relationship to Trafficker", _("Relationship to Trafficker"), CODE, PERSON, c.RelationshipToTrafficker),  # noqa: E501
    _col("vic_AgeWhenTrafficked", "Age When Trafficked", _("Age When Trafficked"), NUMBER, PERSON),
    _col("vic_RecruitmentWebsitesAndApps", "Recruitment Websites and Apps", _("Recruitment Websites and Apps"), CODES, CASE, c.WebsiteOrApp),  # noqa: E501
    _col("vic_ExploitationWebsitesAndApps", "Exploitation Websites and Apps", _("Exploitation Websites and Apps"), CODES, CASE, c.WebsiteOrApp),  # noqa: E501
    _col("per_RoleInProcess", "Role in Process", _("Role in Process"), CODES, PERSON, c.RoleInProcess),  # noqa: E501
    _col("per_RoleDetails", "Role Details", _("Role Details"), TEXT, PERSON),
    _col("cco_CaseComment", "Case Comment", _("Case Comment"), TEXT, CASE),
    # --- Puente's extensions ------------------------------------------------------------
    _col("ext_CaseReference", "Case Reference (Puente)", _("Case Reference (Puente)"), TEXT, CASE),
    _col("ext_CaseTitle", "Case Title (Puente)", _("Case Title (Puente)"), TEXT, CASE),
    _col("ext_CaseStatus", "Case Status (Puente)", _("Case Status (Puente)"), CODE, CASE, c.CaseStatus),  # noqa: E501
    _col("ext_ClosingReason", "Closing Reason (Puente)", _("Closing Reason (Puente)"), CODE, CASE, c.ClosingReason),  # noqa: E501
    _col("ext_ClosingNote", "Closing Note (Puente)", _("Closing Note (Puente)"), TEXT, CASE),
    _col("ext_OpenedAt", "Opened (Puente)", _("Opened (Puente)"), DATETIME, CASE),
    _col("ext_ClosedAt", "Closed (Puente)", _("Closed (Puente)"), DATETIME, CASE),
    _col("ext_ExploitationType", "Type of Trafficking (Puente)", _("Type of Trafficking (Puente)"), CODE, CASE, c.ExploitationType),  # noqa: E501
    _col("ext_MxFormsOfExploitation", "Forms of Exploitation, Ley General art. 10 (Puente)", _("Forms of Exploitation, Ley General art. 10 (Puente)"), CODES, CASE, c.MexicoExploitationForm),  # noqa: E501
    _col("ext_Venues", "Venues / Industries (Puente)", _("Venues / Industries (Puente)"), CODES, CASE, c.Venue),  # noqa: E501
    _col("ext_HotlineRecruitmentMethods", "Methods of Recruitment, this hotline's categories (Puente)", _("Methods of Recruitment, this hotline's categories (Puente)"), CODES, CASE),  # noqa: E501
    _col("ext_LevelOfIndicators", "Level of Indicators (Puente)", _("Level of Indicators (Puente)"), CODE, CASE, c.IndicatorLevel),  # noqa: E501
    _col("ext_ImminentDanger", "Imminent Danger (Puente)", _("Imminent Danger (Puente)"), BOOL, CASE),  # noqa: E501
    _col("ext_Restricted", "Restricted (Puente)", _("Restricted (Puente)"), BOOL, CASE),
    _col("ext_Locations", "Locations (Puente)", _("Locations (Puente)"), JSON, CASE),
    _col("ext_CaseIdentifiers", "Identifiers of the Case (Puente)", _("Identifiers of the Case (Puente)"), JSON, CASE),  # noqa: E501
    _col("ext_PersonRoles", "Roles in the Case (Puente)", _("Roles in the Case (Puente)"), CODES, PERSON, c.PersonRole),  # noqa: E501
    _col("ext_IsBusiness", "Is a Business (Puente)", _("Is a Business (Puente)"), BOOL, PERSON),
    _col("ext_Alias", "Alias or Business Name (Puente)", _("Alias or Business Name (Puente)"), TEXT, PERSON),  # noqa: E501
    _col("ext_Age", "Age (Puente)", _("Age (Puente)"), NUMBER, PERSON),
    _col("ext_AgeBroad", "Age Group (Puente)", _("Age Group (Puente)"), CODE, PERSON, c.AgeBand),
    _col("ext_Nationality", "Nationality as Told (Puente)", _("Nationality as Told (Puente)"), COUNTRY, PERSON),  # noqa: E501
    _col("ext_PersonNotes", "Notes on the Person (Puente)", _("Notes on the Person (Puente)"), TEXT, PERSON),  # noqa: E501
    _col("ext_OtherIdentifiers", "Other Identifiers of the Person (Puente)", _("Other Identifiers of the Person (Puente)"), JSON, PERSON),  # noqa: E501
)
# fmt: on
COLUMNS_BY_NAME: dict[str, Column] = {col.name: col for col in COLUMNS}
for _column in COLUMNS:
    for _alias in _column.aliases:
        COLUMNS_BY_NAME[_alias] = _column
FIELD_NAMES: tuple[str, ...] = tuple(col.name for col in COLUMNS)

# HTCDS columns Puente keeps no field for: an import keeps what they hold as a note on
# the case, so nothing another organisation sent is silently dropped.
KEPT_AS_NOTE = (
    "cas_CaseOwner",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "prs_MailingCity",
    "prs_MailingState",
    "prs_MailingPostalCode",
    "prs_MailingCountry",
)


@cache
def template_value_labels() -> dict[str, dict[str, str]]:
    """field name -> {value name: label as the template's drop-down prints it}
    (template_labels.json, read from IOM's validated template, trailing space and all)."""
    data = json.loads((Path(__file__).with_name("template_labels.json")).read_text("utf-8"))
    return data["values"]
