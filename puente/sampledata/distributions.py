"""The shape of a national hotline's data, in one place, with where each shape comes from.

Used by `puente generate` (national-scale synthetic data for benchmarks); the demo hotline
takes its signalers and busy hours from here too. Figures are cited from
`shared/reference/` (hotlines.md, htcds.md); where a number is our assumption it says so.
Weights are relative, not percentages. These are measured shapes with their sources beside
them, not fiction, so they stay here rather than in `data/`.
"""

from __future__ import annotations

# --- Volume over time ---------------------------------------------------------------------

# Signals per year, as (fraction of the generated span, signals that year). hotlines.md
# §1.6: NHTRC 5,748 calls in 2008 → 31,945 in 2013 (five years later); ~195,148 signals a
# year in the OMB collection (2021–2025), the latest year. Years in between are
# interpolated geometrically, so growth is fast at first and slower later, as it was.
# (The 48,326 "contacts" of 2019 count a narrower unit than OMB's signals; not used.)
VOLUME_ANCHORS = [(0.0, 5_748), (5 / 14, 31_945), (1.0, 195_148)]


def year_weights(years: int) -> list[float]:
    """Relative volume of each of `years` years, oldest first."""
    weights = []
    for year in range(years):
        f = year / (years - 1) if years > 1 else 1.0
        for (f0, v0), (f1, v1) in zip(VOLUME_ANCHORS, VOLUME_ANCHORS[1:], strict=False):
            if f0 <= f <= f1:
                weights.append(v0 * (v1 / v0) ** ((f - f0) / (f1 - f0)))
                break
    return weights


# Hour of day (local): a 24/7 line busiest in working hours and the evening. Assumption,
# shaped like the demo's (no hourly figures in reference/).
HOURS = [2, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 7, 7, 6, 6, 5, 4, 3, 3]
# Monday … Sunday: fewer signals at weekends (assumption; outreach, trainings and
# service-provider calls happen on weekdays).
WEEKDAYS = [1.0, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75]

# --- Who, how, why ------------------------------------------------------------------------

# Channel mix, blended year by year from the early mix to the recent one. US recent:
# Polaris 2017 (hotlines.md §1.6): phone 26,884, texts 2,306, webforms 3,154, emails
# 1,833; webchat is not in those figures, so chat takes a share from phone (assumption:
# OPRE 2023 says 78 % of contactors called). Early years: phone and email only, texts
# "grew sharply in 2017–2018" (OPRE). Mexico: phone; WhatsApp "Chat vs. Trata" on the
# same number since 15 Mar 2021 (hotlines.md §2.1) — its share is an assumption.
CHANNELS_EARLY = {
    "US": [("phone", 88), ("webform", 6), ("email", 6), ("sms", 0), ("chat", 0)],
    "MX": [("phone", 90), ("webform", 5), ("email", 5), ("chat", 0), ("whatsapp", 0)],
}
CHANNELS = {
    "US": [("phone", 72), ("webform", 9), ("email", 5), ("sms", 8), ("chat", 6)],
    "MX": [("phone", 64), ("webform", 4), ("email", 2), ("chat", 4), ("whatsapp", 26)],
}
# Years before the end of the span in which a channel did not exist yet.
CHANNEL_YEARS_AVAILABLE = {"whatsapp": 5}
IN_PERSON_SHARE = 0.001  # walk-ins to a partner office (assumption: rare)

# Reasons for contact. US: NHTH call types (htcds.md); 51,667 *substantive* signals in
# 2020 out of far more signals → most signals are information requests, hang-ups and
# non-trafficking calls (shares are our assumption shaped by that). MX: Consejo
# Ciudadano Jan–Aug 2019: 70 % programme information, 14 % risk situations, 12 % other
# crimes, 4 % trafficking offences (hotlines.md §2.1).
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
# Substantive reasons: their contacts are screened (level of indicators) and may
# belong to a case.
CASE_REASONS = {"tip", "crisis", "services", "high_risk"}

# Cases per contact. NHTH: 63,380 cases from 276,654 contacts, Dec 2007–2019
# (hotlines.md §1.6, archived homepage) → about one case per 4.4 contacts.
CONTACTS_PER_CASE = 4.4
# Of substantive contacts that do not open a case, the share that belongs to a recent
# open case (follow-ups, second reporters). Assumption.
FOLLOW_UP_SHARE = 0.7

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
# language; Spanish is the hotline's second language (the rest is our assumption).
# Mexico: Spanish, with Indigenous languages (assumption).
LANGUAGES = {
    "US": [("eng", 75), ("spa", 22), ("chi", 0.8), ("vie", 0.6), ("kor", 0.5), ("hat", 0.5),
           ("por", 0.3), ("tgl", 0.3)],
    "MX": [("spa", 95), ("eng", 2), ("nah", 1.5), ("myn", 0.8), ("mix", 0.7)],
}  # fmt: skip

# --- Places -------------------------------------------------------------------------------

# U.S. states, weighted by population (2020 census, millions, rounded): an assumption
# that signals follow population — reference/ has no per-state figures. (code, weight,
# [(city, area code)]); the 34 largest states and DC, about 93 % of the population.
US_PLACES = [
    ("US-CA", 39.5, [("Los Angeles", "213"), ("San Diego", "619"), ("Fresno", "559"),
                     ("Oakland", "510"), ("Sacramento", "916")]),
    ("US-TX", 29.1, [("Houston", "713"), ("Dallas", "214"), ("San Antonio", "210"),
                     ("El Paso", "915"), ("Austin", "512")]),
    ("US-FL", 21.5, [("Miami", "305"), ("Orlando", "407"), ("Immokalee", "239"),
                     ("Tampa", "813"), ("Jacksonville", "904")]),
    ("US-NY", 20.2, [("New York", "212"), ("Queens", "718"), ("Buffalo", "716")]),
    ("US-PA", 13.0, [("Philadelphia", "215"), ("Pittsburgh", "412")]),
    ("US-IL", 12.8, [("Chicago", "312"), ("Aurora", "630")]),
    ("US-OH", 11.8, [("Columbus", "614"), ("Cleveland", "216"), ("Toledo", "419")]),
    ("US-GA", 10.7, [("Atlanta", "404"), ("Savannah", "912")]),
    ("US-NC", 10.4, [("Charlotte", "704"), ("Raleigh", "919")]),
    ("US-MI", 10.1, [("Detroit", "313"), ("Grand Rapids", "616")]),
    ("US-NJ", 9.3, [("Newark", "973"), ("Jersey City", "201")]),
    ("US-VA", 8.6, [("Virginia Beach", "757"), ("Richmond", "804")]),
    ("US-WA", 7.7, [("Seattle", "206"), ("Yakima", "509")]),
    ("US-AZ", 7.2, [("Phoenix", "602"), ("Tucson", "520")]),
    ("US-MA", 7.0, [("Boston", "617")]),
    ("US-TN", 6.9, [("Nashville", "615"), ("Memphis", "901")]),
    ("US-IN", 6.8, [("Indianapolis", "317")]),
    ("US-MD", 6.2, [("Baltimore", "410")]),
    ("US-MO", 6.2, [("St. Louis", "314"), ("Kansas City", "816")]),
    ("US-WI", 5.9, [("Milwaukee", "414")]),
    ("US-CO", 5.8, [("Denver", "303")]),
    ("US-MN", 5.7, [("Minneapolis", "612")]),
    ("US-SC", 5.1, [("Charleston", "843"), ("Columbia", "803")]),
    ("US-AL", 5.0, [("Birmingham", "205")]),
    ("US-LA", 4.7, [("New Orleans", "504"), ("Houma", "985")]),
    ("US-KY", 4.5, [("Louisville", "502")]),
    ("US-OR", 4.2, [("Portland", "503")]),
    ("US-OK", 4.0, [("Oklahoma City", "405"), ("Tulsa", "918")]),
    ("US-CT", 3.6, [("Hartford", "860")]),
    ("US-UT", 3.3, [("Salt Lake City", "801")]),
    ("US-NV", 3.1, [("Las Vegas", "702"), ("Reno", "775")]),
    ("US-IA", 3.2, [("Des Moines", "515")]),
    ("US-AR", 3.0, [("Little Rock", "501")]),
    ("US-KS", 2.9, [("Wichita", "316")]),
    ("US-DC", 0.7, [("Washington", "202")]),
]  # fmt: skip

# Mexican federal entities. Consejo Ciudadano: CDMX, Estado de México and Jalisco lead
# (28 %, 17 %, 13 % of carpetas 2019–2020); H1 2021: 20 % CDMX, then Edomex, Jalisco,
# Baja California, Veracruz, Guanajuato, Nuevo León, Puebla, Chihuahua, Querétaro; "every
# state had cases"; Durango and Campeche had none in Jan–Aug 2019 (hotlines.md §2.1).
# Weights below the top ten are our assumption.
MX_PLACES = [
    ("MX-CMX", 22, [("Cuauhtémoc", "55"), ("Iztapalapa", "55"), ("Gustavo A. Madero", "55"),
                    ("Coyoacán", "55")]),
    ("MX-MEX", 15, [("Ecatepec de Morelos", "55"), ("Nezahualcóyotl", "55"), ("Toluca", "722"),
                    ("Naucalpan de Juárez", "55")]),
    ("MX-JAL", 10, [("Guadalajara", "33"), ("Zapopan", "33"), ("Puerto Vallarta", "322")]),
    ("MX-BCN", 6, [("Tijuana", "664"), ("Mexicali", "686"), ("Ensenada", "646")]),
    ("MX-VER", 5, [("Veracruz", "229"), ("Xalapa", "228"), ("Coatzacoalcos", "921")]),
    ("MX-GUA", 4.5, [("León", "477"), ("Irapuato", "462")]),
    ("MX-NLE", 4.2, [("Monterrey", "81"), ("Guadalupe", "81")]),
    ("MX-PUE", 4, [("Puebla", "222"), ("Tehuacán", "238")]),
    ("MX-CHH", 3.6, [("Juárez", "656"), ("Chihuahua", "614")]),
    ("MX-QUE", 3.2, [("Querétaro", "442")]),
    ("MX-CHP", 2.5, [("Tapachula", "962"), ("Tuxtla Gutiérrez", "961")]),
    ("MX-ROO", 2.5, [("Benito Juárez (Cancún)", "998"), ("Solidaridad (Playa del Carmen)", "984")]),
    ("MX-TLA", 2, [("Tlaxcala", "246"), ("Tenancingo", "246")]),
    ("MX-GRO", 2, [("Acapulco de Juárez", "744"), ("Tlapa de Comonfort", "757")]),
    ("MX-OAX", 2, [("Oaxaca de Juárez", "951")]),
    ("MX-MIC", 2, [("Morelia", "443"), ("Uruapan", "452")]),
    ("MX-SIN", 1.8, [("Culiacán", "667"), ("Mazatlán", "669")]),
    ("MX-SON", 1.6, [("Hermosillo", "662"), ("Nogales", "631")]),
    ("MX-TAM", 1.6, [("Reynosa", "899"), ("Nuevo Laredo", "867")]),
    ("MX-COA", 1.5, [("Saltillo", "844"), ("Torreón", "871")]),
    ("MX-HID", 1.4, [("Pachuca de Soto", "771")]),
    ("MX-MOR", 1.4, [("Cuernavaca", "777")]),
    ("MX-SLP", 1.2, [("San Luis Potosí", "444")]),
    ("MX-YUC", 1.1, [("Mérida", "999")]),
    ("MX-TAB", 1, [("Villahermosa", "993")]),
    ("MX-AGU", 0.9, [("Aguascalientes", "449")]),
    ("MX-ZAC", 0.7, [("Zacatecas", "492")]),
    ("MX-NAY", 0.7, [("Tepic", "311")]),
    ("MX-BCS", 0.6, [("La Paz", "612"), ("Los Cabos", "624")]),
    ("MX-COL", 0.5, [("Colima", "312"), ("Manzanillo", "314")]),
    ("MX-DUR", 0.3, [("Durango", "618")]),
    ("MX-CAM", 0.3, [("Campeche", "981")]),
]  # fmt: skip
PLACES = {"US": US_PLACES, "MX": MX_PLACES}

# --- Phones -------------------------------------------------------------------------------

# Repeat callers: most numbers call once; a few call many times (heavy tail). Share of
# phone contacts from a number seen before: assumption. Of those, the share that comes
# from the small set of "frequent" numbers, chosen with a power-law bias so a handful
# call hundreds of times (every hotline has such callers).
REPEAT_CALLER_SHARE = 0.32
FREQUENT_CALLER_SHARE = 0.5
FREQUENT_NUMBER_SHARE = 0.02  # of new numbers, the share that become frequent callers
# Share of contacts with no number at all, by channel: web forms, most emails, some
# chats (anonymous by design). Assumption.
NO_PHONE_CHANNELS = {"webform": 0.85, "email": 0.9, "chat": 0.6, "in_person": 1.0}
# Mexican numbers given with the old mobile "1" after +52 (dropped in 2019; still in
# handsets and WhatsApp exports). Assumption.
MX_OLD_MOBILE_PREFIX_SHARE = 0.2

IMMINENT_DANGER_SHARE = 0.02  # of contacts (the brief's ~2 %); crisis calls mostly
RESTRICTED_CASE_SHARE = 0.01  # assumption
# Level of indicators of a substantive contact (assumption).
LEVELS = [("high", 15), ("moderate", 30), ("low", 35), ("none", 20)]

# --- Cases --------------------------------------------------------------------------------

# Case types. Polaris 2017: sex trafficking the majority, then labour, then both
# (hotlines.md §1.6). Mexico follows its art. 10 forms below.
EXPLOITATION_TYPES = {
    "US": [("sex", 62), ("labour", 22), ("sex_and_labour", 6), ("other", 3), ("not_specified", 7)],
}
# Mexico's art. 10 forms, Consejo Jan 2021–Jun 2022 (hotlines.md §2.1): sexual
# exploitation 55.5 %, forced labour/services 20.4 %, labour exploitation 13.9 %, forced
# begging 3.6 %, minors in crime 3.6 %, forced marriage 1.5 %, illegal adoption 1.5 %.
MX_FORMS = [
    ("explotacion_sexual", 55.5),
    ("trabajo_forzado", 20.4),
    ("explotacion_laboral", 13.9),
    ("mendicidad_forzosa", 3.6),
    ("menores_actividades_delictivas", 3.6),
    ("matrimonio_forzoso", 1.5),
    ("adopcion_ilegal", 1.5),
]
MX_FORM_TYPE = {
    "explotacion_sexual": "sex",
    "trabajo_forzado": "labour",
    "explotacion_laboral": "labour",
    "mendicidad_forzosa": "labour",
    "menores_actividades_delictivas": "other",
    "matrimonio_forzoso": "other",
    "adopcion_ilegal": "other",
}
# Methods of control added to a scenario's own (HTCDS vic_MethodsOfControl); shares are
# an assumption shaped by the NHTH's most-cited methods.
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
# Recruitment (HTCDS vic_MethodOfRecruitment). Consejo 2019–20: person-to-person in 72 %
# of cases; 2024: false job offers 30.6 %, family recruiters 21 % (hotlines.md §2.1).
RECRUITMENT = [
    ("ThroughFriendsOrSocialEvents", 24),
    ("ThroughFamilyOrFamilyEvents", 21),
    ("ThroughOnlineSocialNetworks", 20),
    ("ThroughAnOnlineAdvertisement", 14),
    ("AtWork", 9),
    ("AtAPlaceOfBusiness", 7),
    ("Other", 5),
]
# Recruiters were family members in 21 % of Consejo's 2024 reports (hotlines.md §2.1).
RELATIONSHIPS = [("Familial", 21), ("Acquainted", 49), ("Unaquainted", 30)]
# Minors among potential victims: Consejo 2022, 52 % (hotlines.md §2.1); U.S. share is
# an assumption.
MINOR_SHARE = {"US": 0.25, "MX": 0.5}
# Potential victims whose exact age is unknown (only a band): assumption.
AGE_UNKNOWN_SHARE = 0.15
# Victims per case (1–4) and exploiters (0–2, some of them businesses): assumption.
VICTIMS_PER_CASE = [(1, 70), (2, 18), (3, 8), (4, 4)]
EXPLOITERS_PER_CASE = [(0, 25), (1, 55), (2, 20)]
BUSINESS_EXPLOITER_SHARE = 0.35
# Victims' gender where the scenario leaves it open. Consejo 2022: 6 in 10 victims were
# girls or women (hotlines.md §2.1); OPRE 2023: 55.1 % of contactors female.
GENDERS = [
    ("Feminine", 62),
    ("Masculine", 32),
    ("TransgenderFeminine", 2),
    ("NonSpecifiedUnknown", 4),
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
# Work on a case (assumption): notes 0–3, tasks 0–2; open tasks on old open cases are
# overdue, which is what a supervisor's queue shows.
NOTES_PER_CASE = [(0, 20), (1, 35), (2, 30), (3, 15)]
TASKS_PER_CASE = [(0, 30), (1, 45), (2, 25)]

# Staff (~60). Assumption: a 24/7 line needs about 45 advocates on rotation.
STAFF = [("advocate", 48), ("supervisor", 6), ("liaison", 3), ("analyst", 3)]
