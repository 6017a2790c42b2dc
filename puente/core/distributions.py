"""The shape of a national hotline's data, in one place, with where each shape comes from.

Used by `puente generate` (national-scale synthetic data for benchmarks). Figures cited
from `shared/reference/` (hotlines.md, htcds.md); where a number is our assumption it
says so. Weights are relative, not percentages.
"""

from __future__ import annotations

# Signals per year. hotlines.md §1.1/§1.6: NHTRC 5,748 calls in 2008 → 31,945 in 2013;
# 48,326 contacts in 2019; ~195,148 signals a year in the OMB collection (2021–2025).
# We grow volume ~13 % a year, which turns 15 years into roughly that curve.
ANNUAL_GROWTH = 1.13

# Channel mix. hotlines.md §1.6, Polaris 2017: phone 26,884, texts 2,306, webforms
# 3,154, emails 1,833; webchat is not in those figures — OPRE (2023) says 78 % of
# contactors called, so chat gets a share taken from phone (assumption: 6 %).
# Mexico: phone and the WhatsApp "Chat vs. Trata" on the same number since 2021
# (hotlines.md §2.1); the WhatsApp share is an assumption.
CHANNELS = {
    "US": [
        ("phone", 72),
        ("sms", 6),
        ("chat", 6),
        ("webform", 9),
        ("email", 5),
        ("in_person", 0.2),
    ],
    "MX": [("phone", 64), ("whatsapp", 26), ("webform", 4), ("email", 2), ("chat", 4)],
}

# Reasons for contact. US: NHTH call types (htcds.md); 51,667 *substantive* signals in
# 2020 → most signals are information requests, hang-ups and non-trafficking calls
# (shares are our assumption shaped by that). MX: Consejo Ciudadano Jan–Aug 2019:
# 70 % programme information, 14 % risk situations, 12 % other crimes, 4 % trafficking
# offences (hotlines.md §2.1).
REASONS = {
    "US": [
        ("general_info", 26),
        ("hang_up", 17),
        ("non_trafficking", 11),
        ("tip", 18),
        ("high_risk", 8),
        ("services", 10),
        ("training", 6),
        ("crisis", 4),
    ],
    "MX": [
        ("general_info", 62),
        ("hang_up", 6),
        ("non_trafficking", 12),
        ("tip", 8),
        ("high_risk", 6),
        ("services", 3),
        ("training", 1),
        ("crisis", 2),
    ],
}
# Reasons whose contacts may belong to a case.
CASE_REASONS = {"tip", "crisis", "services", "high_risk"}

# Who contacts. OPRE's evaluation names potential victims, community members, service
# providers and law enforcement (hotlines.md §1.6); Consejo: witnesses report twice as
# often as victims (2022–2023). Shares are our assumption.
SIGNALERS = [
    ("community_member", 34),
    ("potential_victim", 17),
    ("family_friend", 14),
    ("service_provider", 11),
    ("anonymous", 12),
    ("law_enforcement", 4),
    ("government", 3),
    ("business", 3),
    ("other", 2),
]

# Language of the contact. OPRE (2023): 75.5 % of U.S. contactors had English as first
# language; Mexico: Spanish, with Indigenous languages (assumption).
LANGUAGES = {
    "US": [("eng", 76), ("spa", 19), ("chi", 1), ("vie", 1), ("kor", 1), ("por", 1), ("hat", 1)],
    "MX": [("spa", 95), ("eng", 2), ("nah", 1.5), ("myn", 0.8), ("mix", 0.7)],
}

# Hour of day (local): a 24/7 line with a daytime and evening peak (assumption).
HOURS = [1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 7, 7, 7, 6, 6, 6, 5, 5, 4, 3, 2]

# Cases per contact. NHTH: 63,380 cases from 276,654 contacts, Dec 2007–2019
# (hotlines.md §1.6, archived homepage) → about one case per 4.4 contacts.
CONTACTS_PER_CASE = 4.4

# Repeat callers: most numbers call once; a few call many times (heavy tail). The share of
# contacts from a number seen before is our assumption.
REPEAT_CALLER_SHARE = 0.32
# Contacts with no number at all: web forms, most emails, some chats (anonymous by design).
NO_PHONE_CHANNELS = {"webform": 0.85, "email": 0.9, "chat": 0.6, "in_person": 1.0}

IMMINENT_DANGER_SHARE = 0.02  # of contacts; crisis calls mostly (assumption)
RESTRICTED_CASE_SHARE = 0.01  # assumption

# Case types. Polaris 2017: sex trafficking the majority, then labour, then both;
# Consejo 2021–22: sexual exploitation 55.5 %, forced labour 20.4 %, labour
# exploitation 13.9 % (hotlines.md §2.1).
EXPLOITATION_TYPES = {
    "US": [("sex", 62), ("labour", 22), ("sex_and_labour", 6), ("other", 3), ("not_specified", 7)],
    "MX": [("sex", 56), ("labour", 34), ("other", 7), ("not_specified", 3)],
}
# Mexico's art. 10 forms, Consejo 2021–22 (hotlines.md §2.1).
MX_FORMS = [
    ("explotacion_sexual", 55.5),
    ("trabajo_forzado", 20.4),
    ("explotacion_laboral", 13.9),
    ("mendicidad_forzosa", 3.6),
    ("menores_actividades_delictivas", 3.6),
    ("matrimonio_forzoso", 1.5),
    ("adopcion_ilegal", 1.5),
]
# Polaris venues most reported (hotlines.md §1.6: illicit massage, hotel/motel, online ads,
# residential, escort; domestic work, agriculture, sales crews, restaurants, begging).
SEX_VENUES = [
    ("illicit_massage", 20),
    ("escort_services", 18),
    ("residential", 14),
    ("hotels_hospitality", 12),
    ("outdoor_solicitation", 10),
    ("bars_strip_clubs_cantinas", 9),
    ("remote_interactive_sexual_acts", 6),
    ("personal_sexual_servitude", 6),
    ("pornography", 5),
]
LABOUR_VENUES = [
    ("domestic_work", 22),
    ("agriculture_animal_husbandry", 20),
    ("traveling_sales_crews", 10),
    ("restaurants_food_service", 14),
    ("peddling_begging", 8),
    ("construction", 9),
    ("factories_manufacturing", 6),
    ("commercial_cleaning", 5),
    ("landscaping", 3),
    ("health_beauty_services", 3),
]
CONTROL = [
    ("PsychologicalAbuse", 20),
    ("TakesEarnings", 16),
    ("PhysicalThreats", 14),
    ("FalsePromises", 14),
    ("RestrictsMovement", 12),
    ("DebtBondage", 10),
    ("WithholdsDocuments", 9),
    ("PhysicalAbuse", 9),
    ("ThreatsLawEnforcement", 8),
    ("ExcessiveWorkingHours", 8),
    ("SexualAbuse", 6),
    ("ThreatensChildrenFamily", 5),
    ("PsychoactiveSubstance", 4),
    ("WithholdsNecessities", 3),
]
RECRUITMENT = [
    ("ThroughOnlineSocialNetworks", 22),
    ("ThroughFriendsOrSocialEvents", 20),
    ("ThroughFamilyOrFamilyEvents", 18),
    ("ThroughAnOnlineAdvertisement", 14),
    ("AtWork", 10),
    ("AtAPlaceOfBusiness", 8),
    ("Other", 8),
]
# Status by case age in days: old cases are closed (assumption).
STATUS_BY_AGE = [
    (60, [("new", 30), ("active", 45), ("referred", 10), ("monitoring", 10), ("closed", 5)]),
    (365, [("new", 3), ("active", 22), ("referred", 15), ("monitoring", 20), ("closed", 40)]),
    (10**6, [("active", 2), ("monitoring", 3), ("closed", 95)]),
]
CLOSING_REASONS = [
    ("services_connected", 30),
    ("referred_out", 20),
    ("reported_le", 15),
    ("no_further_contact", 20),
    ("declined", 7),
    ("not_trafficking", 5),
    ("duplicate", 2),
    ("other", 1),
]
GENDERS = [
    ("Feminine", 70),
    ("Masculine", 24),
    ("TransgenderFeminine", 2),
    ("NonSpecifiedUnknown", 4),
]
