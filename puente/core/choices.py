"""The picklists that several apps share: the case and contact vocabulary, most of it
HTCDS. A list that only one app uses lives in that app's `choices.py` (a referral's
status, a partner message's delivery state); none is defined twice.

Values are stored as codes and labelled here, translated. Where the Human
Trafficking Case Data Standard (HTCDS 2.0) names a value, the code *is* the HTCDS
value name (see docs/htcds-mapping.md); hotline-specific lists (channels, reasons
for contact, signaler types) extend HTCDS as its helpline guidance recommends.
`pgettext_lazy` separates words that mean different things in different places
(a case status is not a call status).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS / text")
    CHAT = "chat", _("Web chat")
    WEBFORM = "webform", _("Web tip form")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_PERSON = "in_person", _("In person")


class Direction(models.TextChoices):
    INBOUND = "inbound", pgettext_lazy("contact direction", "Inbound")
    OUTBOUND = "outbound", pgettext_lazy("contact direction", "Outbound")


class SignalerType(models.TextChoices):
    POTENTIAL_VICTIM = "potential_victim", _("Potential victim")
    COMMUNITY_MEMBER = "community_member", _("Community member")
    FAMILY_FRIEND = "family_friend", _("Family member or friend")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    GOVERNMENT = "government", _("Government agency")
    BUSINESS = "business", _("Business")
    # Who called, not whether they gave a name: that is the contact's `anonymous` flag.
    UNKNOWN = "unknown", _("Unknown / not said")
    OTHER = "other", pgettext_lazy("signaler type", "Other")


class ReasonForContact(models.TextChoices):
    """The hotline taxonomy of why someone made contact (NHTH call types, extended)."""

    CRISIS = "crisis", _("Crisis / emergency")
    TIP = "tip", _("Tip")
    SERVICES = "services", _("Request for services")
    GENERAL_INFO = "general_info", _("General information")
    TRAINING = "training", _("Training / technical assistance")
    HIGH_RISK = "high_risk", _("High risk, no clear trafficking indicators")
    NON_TRAFFICKING = "non_trafficking", _("Non-trafficking")
    HANG_UP = "hang_up", _("Hang-up / wrong number")


class Language(models.TextChoices):
    """ISO 639-2 codes (HTCDS prs_PrimaryLanguage)."""

    ENGLISH = "eng", _("English")
    SPANISH = "spa", _("Spanish")
    PORTUGUESE = "por", _("Portuguese")
    FRENCH = "fra", _("French")
    HAITIAN = "hat", _("Haitian Creole")
    CHINESE = "chi", _("Chinese")
    VIETNAMESE = "vie", _("Vietnamese")
    KOREAN = "kor", _("Korean")
    TAGALOG = "tgl", _("Tagalog")
    RUSSIAN = "rus", _("Russian")
    ARABIC = "ara", _("Arabic")
    NAHUATL = "nah", _("Nahuatl")
    MAYAN = "myn", _("Mayan languages")
    MIXTEC = "mix", _("Mixtec")
    ZAPOTEC = "zap", _("Zapotec")
    OTHER = "mis", pgettext_lazy("language", "Other")


class Gender(models.TextChoices):
    """HTCDS prs_Gender."""

    FEMININE = "Feminine", _("Female")
    MASCULINE = "Masculine", _("Male")
    TRANS_FEMININE = "TransgenderFeminine", _("Transgender female")
    TRANS_MASCULINE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified / unknown")


class AgeBand(models.TextChoices):
    """CTDC's broad age groups, used when an exact age is not known."""

    AGE_0_8 = "0-8", _("0–8")
    AGE_9_17 = "9-17", _("9–17")
    AGE_18_20 = "18-20", _("18–20")
    AGE_21_23 = "21-23", _("21–23")
    AGE_24_26 = "24-26", _("24–26")
    AGE_27_29 = "27-29", _("27–29")
    AGE_30_38 = "30-38", _("30–38")
    AGE_39_47 = "39-47", _("39–47")
    AGE_48_PLUS = "48+", _("48 and over")
    MINOR_UNKNOWN = "minor", _("Minor, age unknown")
    ADULT_UNKNOWN = "adult", _("Adult, age unknown")
    UNKNOWN = "unknown", pgettext_lazy("age", "Unknown")


class CaseStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    ACTIVE = "active", pgettext_lazy("case status", "Active")
    REFERRED = "referred", pgettext_lazy("case status", "Referred")
    MONITORING = "monitoring", pgettext_lazy("case status", "Monitoring")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class ClosingReason(models.TextChoices):
    SERVICES_CONNECTED = "services_connected", _("Connected to services")
    REFERRED_OUT = "referred_out", _("Referred to another organization")
    REPORTED_LE = "reported_le", _("Reported to law enforcement")
    NO_FURTHER_CONTACT = "no_further_contact", _("Unable to reach / no further contact")
    DECLINED = "declined", _("Declined assistance")
    NOT_TRAFFICKING = "not_trafficking", _("Not a trafficking situation")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    OTHER = "other", pgettext_lazy("closing reason", "Other")


class ExploitationType(models.TextChoices):
    """The case's overall type (CTDC isSexualExploit / isForcedLabour / isSexAndLabour)."""

    SEX = "sex", _("Sex trafficking")
    LABOUR = "labour", _("Labor trafficking")
    SEX_AND_LABOUR = "sex_and_labour", _("Sex and labor trafficking")
    OTHER = "other", _("Other forms of exploitation")
    NOT_SPECIFIED = "not_specified", _("Not specified")


class TypeOfExploitation(models.TextChoices):
    """HTCDS vic_TypeOfExploitation."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labor")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labor")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = (
        "ForcedMilitaryByNonStateActors",
        _("Forced military service by non-state actors"),
    )
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Forced surrogacy")
    OTHER = "Other", pgettext_lazy("exploitation", "Other")


class MexicoExploitationForm(models.TextChoices):
    """Ley General para Prevenir, Sancionar y Erradicar los Delitos en Materia de Trata de
    Personas (DOF 14-06-2012), art. 10, fractions I–XI."""

    ESCLAVITUD = "esclavitud", _("Slavery (art. 10 I)")
    CONDICION_SIERVO = "condicion_siervo", _("Servitude (art. 10 II)")
    EXPLOTACION_SEXUAL = (
        "explotacion_sexual",
        _("Prostitution of others or other sexual exploitation (art. 10 III)"),
    )
    EXPLOTACION_LABORAL = "explotacion_laboral", _("Labor exploitation (art. 10 IV)")
    TRABAJO_FORZADO = "trabajo_forzado", _("Forced labor or services (art. 10 V)")
    MENDICIDAD_FORZOSA = "mendicidad_forzosa", _("Forced begging (art. 10 VI)")
    MENORES_DELICTIVAS = (
        "menores_actividades_delictivas",
        _("Use of minors in criminal activities (art. 10 VII)"),
    )
    ADOPCION_ILEGAL = "adopcion_ilegal", _("Illegal adoption of a minor (art. 10 VIII)")
    MATRIMONIO_FORZOSO = "matrimonio_forzoso", _("Forced or servile marriage (art. 10 IX)")
    TRAFICO_ORGANOS = "trafico_organos", _("Trafficking in organs, tissues or cells (art. 10 X)")
    EXPERIMENTACION = (
        "experimentacion_biomedica",
        _("Illicit biomedical experimentation (art. 10 XI)"),
    )


class Venue(models.TextChoices):
    """Venue / industry: Polaris "Typology of Modern Slavery" (2017), 25 types."""

    ESCORT = "escort_services", _("Escort services")
    ILLICIT_MASSAGE = "illicit_massage", _("Illicit massage, health and beauty")
    OUTDOOR = "outdoor_solicitation", _("Outdoor solicitation")
    RESIDENTIAL = "residential", _("Residential")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    BARS = "bars_strip_clubs_cantinas", _("Bars, strip clubs and cantinas")
    PORNOGRAPHY = "pornography", _("Pornography")
    SALES_CREWS = "traveling_sales_crews", _("Traveling sales crews")
    RESTAURANTS = "restaurants_food_service", _("Restaurants and food service")
    PEDDLING = "peddling_begging", _("Peddling and begging")
    AGRICULTURE = "agriculture_animal_husbandry", _("Agriculture and animal husbandry")
    PERSONAL_SERVITUDE = "personal_sexual_servitude", _("Personal sexual servitude")
    HEALTH_BEAUTY = "health_beauty_services", _("Health and beauty services")
    CONSTRUCTION = "construction", _("Construction")
    HOTELS = "hotels_hospitality", _("Hotels and hospitality")
    LANDSCAPING = "landscaping", _("Landscaping")
    ILLICIT_ACTIVITIES = "illicit_activities", _("Illicit activities")
    ARTS = "arts_entertainment", _("Arts and entertainment")
    CLEANING = "commercial_cleaning", _("Commercial cleaning services")
    FACTORIES = "factories_manufacturing", _("Factories and manufacturing")
    REMOTE_SEXUAL = "remote_interactive_sexual_acts", _("Remote interactive sexual acts")
    CARNIVALS = "carnivals", _("Carnivals")
    FORESTRY = "forestry_logging", _("Forestry and logging")
    HEALTH_CARE = "health_care", _("Health care")
    RECREATIONAL = "recreational_facilities", _("Recreational facilities")
    OTHER = "other", pgettext_lazy("venue", "Other")


class MethodOfControl(models.TextChoices):
    """HTCDS vic_MethodsOfControl (picklist values, plus RestrictsMovement and
    UsesChildren from the HTCDS MethodsOfControl flags)."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of law enforcement / deportation")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threatens children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCES = "RestrictsFinancialAccess", _("Restricts access to money")
    RESTRICTS_MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds food, sleep or other necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE = "PsychoactiveSubstance", _("Psychoactive substances")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds identity documents")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement / isolation")
    # The exploiter limits or uses access to the victim's own children (HTCDS
    # MethodsOfControlUsesChildren), not "a minor is exploited": that is the person's age.
    USES_CHILDREN = "UsesChildren", _("Limits access to own children")
    OTHER = "Other", pgettext_lazy("method of control", "Other")


class MethodOfRecruitment(models.TextChoices):
    """HTCDS vic_MethodOfRecruitment."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATIONAL = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TV_AD = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_AD = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", pgettext_lazy("recruitment", "Other")


class PersonRole(models.TextChoices):
    """A person's roles in a case: one person may hold several (a victim who calls for
    herself is a potential victim and the signaler)."""

    POTENTIAL_VICTIM = "potential_victim", _("Potential victim")
    EXPLOITER = "exploiter", _("Potential exploiter")
    SIGNALER = "signaler", _("Signaler")
    OTHER = "other", pgettext_lazy("person role", "Other person")


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Victim of trafficking (determined)")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class RelationshipToTrafficker(models.TextChoices):
    """HTCDS vic_RelationshipToTrafficker (the standard spells the last value
    'Unaquainted'; we keep its spelling so exports match)."""

    FAMILIAL = "Familial", _("Family member")
    ACQUAINTED = "Acquainted", _("Acquaintance")
    UNACQUAINTED = "Unaquainted", _("Stranger")


class RoleInProcess(models.TextChoices):
    """HTCDS per_RoleInProcess, all 15 values in the standard's order."""

    TRAVELLING_PARTNER = "TravellingPartner", _("Traveled with the person")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker / travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harbored the person")
    SELLER = "SoldIndividual", _("Sold the person")
    BUYER = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLER = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    OTHER = "Other", pgettext_lazy("role in process", "Other")


class TypeOfSexExploitation(models.TextChoices):
    """HTCDS vic_TypeOfSexExploitation."""

    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE = "PrivateSexualServices", _("Private sexual services")


class ForcedLabourIndustry(models.TextChoices):
    """HTCDS vic_ForcedLabourIndustry: the ISIC Rev.4 sections A–U."""

    A = "A_AgricultureForestryAndFishing", _("A. Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("B. Mining and quarrying")
    C = "C_Manufacturing", _("C. Manufacturing")
    D = (
        "D_ElectricityGasSteamAndAirConditioningSupply",
        _("D. Electricity, gas, steam and air conditioning supply"),
    )
    E = "E_WaterSupplySewerageWasteManagement", _("E. Water supply, sewerage, waste management")
    F = "F_Construction", _("F. Construction")
    G = (
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
        _("G. Wholesale and retail trade; repair of motor vehicles"),
    )
    H = "H_TransportationAndStorage", _("H. Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("I. Accommodation and food services")  # noqa: E741
    J = "J_InformationAndCommunication", _("J. Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("K. Financial and insurance activities")
    L = "L_RealEstateActivities", _("L. Real estate activities")
    M = (
        "M_ProfessionalScientificAndTechnicalActivities",
        _("M. Professional, scientific and technical activities"),
    )
    N = (
        "N_AdministrativeAndSupportServiceActivities",
        _("N. Administrative and support services"),
    )
    O = "O_PublicAdministrationAndDefence", _("O. Public administration and defense")  # noqa: E741
    P = "P_Education", _("P. Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Q. Human health and social work")
    R = "R_ArtsEntertainmentAndRecreation", _("R. Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("S. Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _("T. Households as employers (domestic work)")
    U = (
        "U_ActivitiesOfExtraterritorialOrganizations",
        _("U. Extraterritorial organizations"),
    )


class TraffickingStatusDecisionMakingOrg(models.TextChoices):
    """HTCDS vic_TraffickingStatusDecisionMakingOrg: who decided the trafficking status."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("Non-governmental organization")
    COURT = "CourtOrProsecution", _("Court or prosecution")
    GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Government agency other than police")
    OTHER = "Other", pgettext_lazy("decision-making organization", "Other")


class WebsiteOrApp(models.TextChoices):
    """HTCDS vic_RecruitmentWebsitesAndApps and vic_ExploitationWebsitesAndApps."""

    FACEBOOK = "Facebook", "Facebook"
    INSTAGRAM = "Instagram", "Instagram"
    WHATSAPP = "WhatsApp", "WhatsApp"
    TELEGRAM = "Telegram", "Telegram"
    MESSENGER = "FacebookMessenger", "Facebook Messenger"
    VIBER = "Viber", "Viber"
    SNAPCHAT = "SnapChat", "Snapchat"
    LINE = "Line", "LINE"
    FOURSALE = "4Sale", "4Sale"
    WECHAT = "WeChat", "WeChat"
    QQ = "QQ", "QQ"
    QZONE = "QZone", "Qzone"
    TIKTOK = "TikTok", "TikTok"
    TWITTER = "Twitter", "Twitter / X"
    OTHER = "Other", pgettext_lazy("website or app", "Other")


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("Email address")
    SOCIAL = "social", _("Social media handle")
    ADDRESS = "address", _("Address")
    VEHICLE = "vehicle", _("Vehicle / license plate")
    ONLINE_AD = "online_ad", _("Online ad / URL")
    BUSINESS = "business", _("Business name")


class LocationKind(models.TextChoices):
    """HTCDS hte_Type, plus where the case is now."""

    CURRENT = "current", _("Current location")
    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class IndicatorLevel(models.TextChoices):
    HIGH = "high", pgettext_lazy("level of indicators", "High")
    MODERATE = "moderate", pgettext_lazy("level of indicators", "Moderate")
    LOW = "low", pgettext_lazy("level of indicators", "Low")
    NONE = "none", pgettext_lazy("level of indicators", "None")

    @classmethod
    def rank(cls, value: str) -> int:
        return {"none": 0, "low": 1, "moderate": 2, "high": 3}[value]


class LegalFrame(models.TextChoices):
    US_TVPA = "us_tvpa", _("United States: Trafficking Victims Protection Act (TVPA)")
    MX_LGT = "mx_lgt", _("Mexico: Ley General contra la Trata de Personas (2012)")


def label_for(choices: type[models.TextChoices], code: str | None) -> str:
    """The translated label of a stored code; an unknown code is shown as itself rather
    than hidden, so bad data is visible instead of silently blank."""
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def labels_for(choices: type[models.TextChoices], codes: list[str] | None) -> list[str]:
    return [label_for(choices, code) for code in codes or []]


class ConsentMethod(models.TextChoices):
    """How a person agreed to be referred, to have a report made, or to have their case
    sent to the partner hotline."""

    VERBAL = "verbal", _("Verbal, during the contact")
    WRITTEN = "written", _("Written or signed")
    TEXT = "text", _("By text or chat")
    GUARDIAN = "guardian", _("Given by a parent or guardian")
    # No consent, and none needed: someone's life or safety could not wait for it.
    EMERGENCY = "emergency", _("Not required: emergency")


# The ways of saying "yes": consent given needs one of these.
CONSENT_GIVEN = (
    ConsentMethod.VERBAL,
    ConsentMethod.WRITTEN,
    ConsentMethod.TEXT,
    ConsentMethod.GUARDIAN,
)
