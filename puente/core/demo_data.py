"""The fictional hotline `puente demo` shows: staff, ~300 contacts over 18 months and ~40
cases, for the U.S. or the Mexican hotline.

Everything is drawn from a seeded `random.Random`, so two seeds of the same country hold
the same people, numbers and stories (only the dates move with today). The mix follows
what the two hotlines publish: most signals are phone calls, many are general questions,
hang-ups or not about trafficking; sex trafficking in massage businesses, bars and online
ads, labour trafficking in farms, homes, kitchens and crews; in Mexico the art. 10 forms
of the Ley General. All names, numbers, businesses and links are invented (U.S. numbers
are 555-01xx; web addresses use the reserved .example domain).
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases.models import Case, CaseAccess, CaseLocation, CaseNote, Identifier, Person, Task
from puente.core import choices as c
from puente.core import distributions
from puente.core.phones import normalise_phone
from puente.intake.models import Contact

DEMO_PASSWORD = "puente-demo-2026"
SEED = {"US": 7_888_373, "MX": 8_005_533}
DAYS_OF_HISTORY = 548  # 18 months
TARGET_CONTACTS = 300
TARGET_CASES = 40

# One login per role, printed by `puente demo`; the extra advocates carry the caseload.
STAFF = {
    "US": [
        ("advocate", Role.ADVOCATE, "Jordan", "Ellis"),
        ("supervisor", Role.SUPERVISOR, "Maya", "Okafor"),
        ("liaison", Role.LIAISON, "Daniel", "Reyes"),
        ("analyst", Role.ANALYST, "Priya", "Natarajan"),
        ("administrator", Role.ADMINISTRATOR, "Chris", "Lindqvist"),
        ("advocate2", Role.ADVOCATE, "Rosa", "Delgado"),
        ("advocate3", Role.ADVOCATE, "Kevin", "Marsh"),
    ],
    "MX": [
        ("advocate", Role.ADVOCATE, "Lucía", "Hernández Ruiz"),
        ("supervisor", Role.SUPERVISOR, "Alejandra", "Campos Vela"),
        ("liaison", Role.LIAISON, "Rodrigo", "Salinas Ortega"),
        ("analyst", Role.ANALYST, "Mariana", "Quiroz Lara"),
        ("administrator", Role.ADMINISTRATOR, "Jorge", "Ibarra Núñez"),
        ("advocate2", Role.ADVOCATE, "Fernando", "Aguilar Soto"),
        ("advocate3", Role.ADVOCATE, "Paola", "Medina Ríos"),
    ],
}
LOGIN_ROLES = [Role.ADVOCATE, Role.SUPERVISOR, Role.LIAISON, Role.ANALYST, Role.ADMINISTRATOR]
DEMO_USERNAMES = [username for username, *_rest in STAFF["US"]]

# The number a newcomer can type into the phone lookup to see a caller's history: a
# sister who keeps calling about the same case, first written the way she gave it.
KNOWN_CALLER = {"US": "(713) 555-0142", "MX": "+52 1 55 5501 4270"}
# An exploiter's number that turns up in several unrelated cases (the network view).
RECURRING_EXPLOITER_PHONE = {"US": "(702) 555-0187", "MX": "664 555 0193"}

# --- Places ---------------------------------------------------------------------------------

# (subdivision, weight, [(city, area code)])
PLACES = {
    "US": [
        (
            "US-TX",
            14,
            [("Houston", "713"), ("Dallas", "214"), ("San Antonio", "210"), ("El Paso", "915")],
        ),
        (
            "US-CA",
            16,
            [("Los Angeles", "213"), ("Fresno", "559"), ("San Diego", "619"), ("Oakland", "510")],
        ),
        ("US-FL", 10, [("Miami", "305"), ("Orlando", "407"), ("Immokalee", "239")]),
        ("US-NY", 9, [("New York", "212"), ("Queens", "718")]),
        ("US-GA", 6, [("Atlanta", "404")]),
        ("US-IL", 5, [("Chicago", "312")]),
        ("US-NV", 4, [("Las Vegas", "702")]),
        ("US-NC", 4, [("Charlotte", "704")]),
        ("US-OH", 4, [("Columbus", "614")]),
        ("US-WA", 4, [("Seattle", "206"), ("Yakima", "509")]),
        ("US-AZ", 4, [("Phoenix", "602")]),
        ("US-NJ", 3, [("Newark", "973")]),
        ("US-LA", 2, [("New Orleans", "504")]),
    ],
    "MX": [
        ("MX-CMX", 20, [("Cuauhtémoc", "55"), ("Iztapalapa", "55"), ("Gustavo A. Madero", "55")]),
        (
            "MX-MEX",
            13,
            [("Ecatepec de Morelos", "55"), ("Nezahualcóyotl", "55"), ("Toluca", "722")],
        ),
        ("MX-JAL", 9, [("Guadalajara", "33"), ("Zapopan", "33"), ("Puerto Vallarta", "322")]),
        ("MX-BCN", 7, [("Tijuana", "664"), ("Mexicali", "686"), ("Ensenada", "646")]),
        ("MX-NLE", 6, [("Monterrey", "81")]),
        ("MX-VER", 5, [("Veracruz", "229"), ("Xalapa", "228")]),
        ("MX-GUA", 5, [("León", "477")]),
        ("MX-PUE", 5, [("Puebla", "222"), ("Tehuacán", "238")]),
        ("MX-CHH", 5, [("Juárez", "656"), ("Chihuahua", "614")]),
        ("MX-CHP", 5, [("Tapachula", "962"), ("Tuxtla Gutiérrez", "961")]),
        ("MX-TLA", 4, [("Tlaxcala", "246"), ("Tenancingo", "246")]),
        (
            "MX-ROO",
            4,
            [("Benito Juárez (Cancún)", "998"), ("Solidaridad (Playa del Carmen)", "984")],
        ),
        ("MX-QUE", 3, [("Querétaro", "442")]),
        ("MX-SIN", 3, [("Culiacán", "667")]),
        ("MX-OAX", 3, [("Oaxaca de Juárez", "951")]),
        ("MX-GRO", 3, [("Acapulco de Juárez", "744"), ("Tlapa de Comonfort", "757")]),
    ],
}

# --- Who contacts the hotline, how and why ----------------------------------------------------

CHANNELS = {
    "US": [("phone", 70), ("sms", 10), ("chat", 8), ("webform", 7), ("email", 5)],
    "MX": [("phone", 62), ("whatsapp", 22), ("chat", 4), ("webform", 5), ("email", 3), ("sms", 4)],
}
# Most signals are not trafficking reports (the Línea Nacional counted 70% requests for
# information in 2019); tips and crises are the minority that open cases.
REASONS = {
    "US": [
        ("general_info", 26),
        ("hang_up", 18),
        ("non_trafficking", 12),
        ("tip", 16),
        ("high_risk", 8),
        ("services", 9),
        ("training", 6),
        ("crisis", 3),
    ],
    "MX": [
        ("general_info", 40),
        ("hang_up", 14),
        ("non_trafficking", 12),
        ("tip", 12),
        ("high_risk", 9),
        ("services", 6),
        ("training", 4),
        ("crisis", 3),
    ],
}
# Who contacts the hotline: the national-scale shares, with their sources.
SIGNALERS = distributions.SIGNALERS
LANGUAGES = {
    "US": [
        ("eng", 76),
        ("spa", 18),
        ("chi", 1),
        ("vie", 1),
        ("kor", 1),
        ("por", 1),
        ("hat", 1),
        ("tgl", 1),
    ],
    "MX": [("spa", 93), ("eng", 3), ("nah", 2), ("myn", 1), ("mix", 1)],
}

# Words that differ by country and language inside otherwise shared narratives.
TERMS = {
    ("US", "en"): {
        "le": "the local anti-trafficking task force",
        "labour": "the Department of Labor's Wage and Hour Division",
        "legal": "a legal aid organisation",
        "victims": "a victim services provider",
        "police": "local police",
        "child": "child protective services",
    },
    ("US", "es"): {
        "le": "el grupo de trabajo local contra la trata",
        "labour": "la División de Horas y Salarios del Departamento del Trabajo",
        "legal": "una organización de asistencia legal gratuita",
        "victims": "una organización de atención a víctimas",
        "police": "la policía local",
        "child": "los servicios de protección infantil",
    },
    ("MX", "es"): {
        "le": "la Fiscalía Especializada en Trata de Personas",
        "labour": "la Procuraduría Federal de la Defensa del Trabajo (PROFEDET)",
        "legal": "una asesoría jurídica gratuita",
        "victims": "la Comisión Ejecutiva de Atención a Víctimas",
        "police": "la policía municipal",
        "child": "la Procuraduría de Protección de Niñas, Niños y Adolescentes (DIF)",
    },
    ("MX", "en"): {
        "le": "the specialised anti-trafficking prosecutor's office",
        "labour": "PROFEDET, the federal labour ombudsman",
        "legal": "a free legal advice service",
        "victims": "the Executive Commission for Victim Assistance",
        "police": "municipal police",
        "child": "the child protection office (DIF)",
    },
}

# Narratives of contacts that did not open a case, by reason and language.
CONTACT_STORIES = {
    "hang_up": {
        "en": [
            "Caller disconnected before speaking.",
            "Silence on the line; call dropped after about 20 seconds.",
            "Wrong number: caller was trying to reach a pharmacy.",
            "Caller hung up after the greeting.",
            "Child playing with a phone; no concern identified.",
        ],
        "es": [
            "La persona colgó antes de hablar.",
            "Silencio en la línea; la llamada se cortó a los 20 segundos.",
            "Número equivocado: buscaba una farmacia.",
            "Colgó al escuchar el saludo.",
            "Un niño jugando con el teléfono; sin situación de riesgo.",
        ],
    },
    "general_info": {
        "en": [
            "Student asked for statistics on trafficking in {state} for a school project; pointed to the published data.",
            "Caller asked what the signs of labour trafficking are after a news report.",
            "Church volunteer asked for awareness materials in Spanish for a community fair.",
            "Caller wanted to know whether the hotline is confidential before sharing anything; explained confidentiality and its limits. Caller said she may call back.",
            "Asked how to volunteer with anti-trafficking organisations in {city}.",
            "Truck driver asked what to look for at truck stops and how to report from the road.",
        ],
        "es": [
            "Estudiante pidió estadísticas sobre trata en {state} para una tarea; se le indicó dónde están los datos publicados.",
            "Preguntó cuáles son las señales de la trata laboral después de ver una nota en la televisión.",
            "Maestra solicitó material de prevención para una plática con madres y padres de familia.",
            "Quería saber si la línea es confidencial antes de contar algo; se explicó la confidencialidad y sus límites. Dijo que tal vez vuelva a llamar.",
            "Preguntó cómo hacer voluntariado con organizaciones contra la trata en {city}.",
            "Joven preguntó si es seguro aceptar una oferta de trabajo que vio en Facebook; se revisaron señales de alerta.",
        ],
    },
    "non_trafficking": {
        "en": [
            "Dispute with a landlord over a deposit; no trafficking indicators. Referred to {legal}.",
            "Unpaid overtime at a warehouse; worker free to leave, no force, fraud or coercion. Referred to {labour}.",
            "Caller worried about a neighbour's late-night visitors; no indicators identified.",
            "Question about renewing a work visa; referred to {legal}.",
        ],
        "es": [
            "Conflicto con el arrendador por el depósito; sin indicadores de trata. Se canalizó a {legal}.",
            "No le pagan horas extra en una bodega; puede dejar el trabajo, sin indicadores de trata. Se canalizó a {labour}.",
            "Le preocupan las visitas nocturnas en casa de un vecino; no se identificaron indicadores.",
            "Consulta sobre la renovación de un permiso de trabajo; se canalizó a {legal}.",
        ],
    },
    "high_risk": {
        "en": [
            "A 16-year-old who ran away from home is staying with a man in his thirties she met online; no commercial sex reported yet. Safety-planned and gave youth shelter options.",
            "Partner controls all of the caller's money and phone; no commercial sex or forced work. Referred to a domestic violence shelter.",
            "Relative held at a house near the border until the family pays the smuggler more; referred to {police} with the caller's consent.",
        ],
        "es": [
            "Adolescente de 16 años se fue de su casa y vive con un hombre de unos 30 años que conoció en internet; aún no se reporta explotación. Se hizo plan de seguridad y se dieron opciones de albergue.",
            "Su pareja le controla el dinero y el teléfono; no hay explotación sexual ni laboral. Se canalizó a un refugio para mujeres.",
            "Un familiar está retenido en una casa cerca de la frontera hasta que paguen más al pollero; con su consentimiento se canalizó a {police}.",
        ],
    },
    "tip": {
        "en": [
            "Several young women seem to live inside a massage business in {city}; men arrive until 2am. Caller did not want to be contacted again.",
            "An escort ad on a classifieds site appears to show a minor; caller sent the link. Ad was no longer online when checked.",
            "Neighbour sees workers driven away in a van at 5am and brought back at midnight to a house in {city} where 15 or more people sleep.",
            "Customer at a nail salon in {city} says the workers sleep in the back room and look afraid of the owner.",
        ],
        "es": [
            "Vecina observa que a varias jóvenes las llevan y traen en camioneta de un bar de {city}; nunca salen solas.",
            "Reporta un anuncio en redes sociales que ofrece trabajo de edecán con sueldo muy alto y pide fotos; se revisó el perfil.",
            "En un crucero de {city} hay niños vendiendo dulces hasta la madrugada y un adulto les quita el dinero.",
            "Trabajadores de un rancho en {city} dicen que no les pagan y que no los dejan salir; no quiso dar más datos.",
        ],
    },
    "services": {
        "en": [
            "Survivor asked for trauma-informed counselling in {city}; gave three referrals.",
            "Case manager asked for shelter options for an adult male survivor of labour trafficking.",
            "Survivor asked whether she may qualify for a T visa; referred to {legal}.",
        ],
        "es": [
            "Sobreviviente pidió atención psicológica en {city}; se le dieron tres opciones.",
            "Solicitó refugio para ella y sus dos hijos; se canalizó a {victims}.",
            "Pidió orientación para presentar una denuncia; se le explicó el proceso ante {le}.",
        ],
    },
    "training": {
        "en": [
            "Hospital social worker requested training on identifying trafficking in the emergency department.",
            "Sheriff's office asked for a roll-call training on labour trafficking indicators.",
            "Hotel chain asked for training for front-desk staff.",
        ],
        "es": [
            "El DIF municipal solicitó capacitación para su personal de primer contacto.",
            "Una cadena hotelera pidió capacitación para recepcionistas.",
            "Una universidad pidió una plática sobre enganche por redes sociales.",
        ],
    },
    "crisis": {
        "en": [
            "Caller's friend texted that she is locked in a motel room in {city} and the man will be back tonight. Coordinated with {police}; caller to update us.",
        ],
        "es": [
            "Su prima le escribió que la tienen encerrada en un hotel de {city} y que el hombre regresa en la noche. Se coordinó con {police}; la persona volverá a llamar.",
        ],
    },
}

NOTES = {
    "en": [
        "Called the reporting party back; no answer. Left no message for safety reasons.",
        "Spoke with the potential victim on a safe line. She wants help but is not ready to talk to police. Safety-planned; agreed on a code word.",
        "Sent a report to {le} with the potential victim's consent.",
        "Shelter bed confirmed with {victims}; transport arranged for tomorrow morning.",
        "Supervisor reviewed: meets the threshold for a law-enforcement report.",
        "Legal services provider accepted the referral; intake appointment on Thursday.",
        "Reporting party sent two more screenshots of the ads; added them as identifiers.",
        "Checked the address against earlier contacts: two tips from the same block last year.",
    ],
    "es": [
        "Se devolvió la llamada a quien reportó; no contestó. Por seguridad no se dejó mensaje.",
        "Se habló con la posible víctima por una línea segura. Quiere ayuda pero aún no quiere denunciar. Se hizo plan de seguridad y se acordó una palabra clave.",
        "Con el consentimiento de la posible víctima se envió el reporte a {le}.",
        "Se confirmó espacio en un refugio con {victims}; el traslado será mañana temprano.",
        "La supervisora revisó el caso: cumple el criterio para dar aviso a la autoridad.",
        "Se aceptó la canalización a asesoría jurídica; la cita de primer contacto es el jueves.",
        "Quien reportó envió dos capturas de pantalla más de los anuncios; se agregaron como identificadores.",
        "Se cruzó la dirección con contactos anteriores: hubo dos reportes de la misma cuadra el año pasado.",
    ],
}
TASKS = {
    "en": [
        "Call back the reporting party",
        "Send law-enforcement report (consent on file)",
        "Follow up with shelter on intake",
        "Confirm legal services appointment",
        "Check whether the ads are still online",
        "Safety check-in with the potential victim",
    ],
    "es": [
        "Devolver la llamada a quien reportó",
        "Enviar reporte a la autoridad (hay consentimiento)",
        "Dar seguimiento al ingreso al refugio",
        "Confirmar cita de asesoría jurídica",
        "Verificar si los anuncios siguen activos",
        "Llamada de seguimiento de seguridad con la posible víctima",
    ],
}
CLOSING = {
    "en": {
        "services_connected": "Survivor is in a shelter and working with a case manager.",
        "referred_out": "Case handed to a local anti-trafficking coalition that now leads the response.",
        "reported_le": "Reported to {le}; they confirmed receipt and opened an investigation.",
        "no_further_contact": "No further contact after three attempts over two weeks.",
        "declined": "The potential victim declined further help; she has the hotline number.",
        "not_trafficking": "Follow-up showed a wage dispute without force, fraud or coercion.",
    },
    "es": {
        "services_connected": "La sobreviviente está en un refugio y recibe acompañamiento.",
        "referred_out": "El caso se canalizó a una organización local que ahora lleva la atención.",
        "reported_le": "Se dio aviso a {le}; confirmaron la recepción y abrieron carpeta de investigación.",
        "no_further_contact": "Sin contacto después de tres intentos en dos semanas.",
        "declined": "La posible víctima no quiso más apoyo; tiene el número de la línea.",
        "not_trafficking": "El seguimiento mostró un conflicto laboral sin indicadores de trata.",
    },
}

# --- Names (all invented) ----------------------------------------------------------------------

NAMES = {
    "es_f": [
        "María Fernanda",
        "Guadalupe",
        "Daniela",
        "Rosa",
        "Karla",
        "Yesenia",
        "Alejandra",
        "Sofía",
        "Marisol",
        "Leticia",
        "Itzel",
        "Citlali",
        "Brenda",
        "Ximena",
        "Araceli",
        "Dulce",
    ],
    "es_m": [
        "José Luis",
        "Juan Carlos",
        "Miguel Ángel",
        "Jesús",
        "Luis",
        "Óscar",
        "Edgar",
        "Ramiro",
        "Héctor",
        "Rigoberto",
        "Eduardo",
        "Francisco",
    ],
    "es_last": [
        "Hernández",
        "García",
        "Martínez",
        "López",
        "González",
        "Pérez",
        "Rodríguez",
        "Sánchez",
        "Ramírez",
        "Cruz",
        "Flores",
        "Gómez",
        "Morales",
        "Vázquez",
        "Jiménez",
        "Reyes",
        "Díaz",
        "Torres",
        "Gutiérrez",
        "Ruiz",
        "Mendoza",
        "Aguilar",
        "Ortiz",
        "Castillo",
        "Chávez",
    ],
    "en_f": [
        "Ashley",
        "Jessica",
        "Brittany",
        "Amber",
        "Kayla",
        "Destiny",
        "Megan",
        "Tiffany",
        "Jasmine",
    ],
    "en_m": ["Tyler", "Brandon", "Kevin", "Marcus", "Derek", "Travis", "Dwayne", "Cody"],
    "en_last": [
        "Johnson",
        "Williams",
        "Brown",
        "Miller",
        "Davis",
        "Wilson",
        "Anderson",
        "Thomas",
        "Jackson",
        "White",
        "Harris",
        "Martin",
        "Thompson",
        "Moore",
    ],
    "asia_f": ["Mei", "Li Na", "Xiu Ying", "Ji-woo", "Min-seo", "Hua"],
    "asia_last": ["Chen", "Wang", "Liu", "Zhang", "Kim", "Park", "Lin"],
    "fil_f": ["Maricel", "Rowena", "Joy", "Analyn", "Liezl"],
    "fil_last": ["Santos", "Bautista", "Dela Cruz", "Villanueva", "Mendoza"],
}
ALIASES = {
    "es": ["El Güero", "La Señora", "El Licenciado", "Don Chuy", "El Flaco", "La Tía", "El Primo"],
    "en": ["Mike", "J-Money", "Boss Lady", "Cash", "Dre", "Unc"],
}

# --- Case scenarios ---------------------------------------------------------------------------
# Each: where it fits, its language, HTCDS and art. 10 codes, and the people in it. {city}
# and {business} are filled in per case.

V = c.Venue
M = c.MethodOfControl
R = c.MethodOfRecruitment
T = c.TypeOfExploitation
X = c.MexicoExploitationForm

SCENARIOS = [
    # ---- United States ----
    dict(
        country="US",
        lang="en",
        type="sex",
        level="high",
        title="Illicit massage business, {city}",
        places=[
            ("US-TX", "Houston", "713"),
            ("US-CA", "Los Angeles", "213"),
            ("US-NY", "Queens", "718"),
            ("US-GA", "Atlanta", "404"),
            ("US-IL", "Chicago", "312"),
        ],
        summary="Women of Chinese and Korean origin appear to live inside {business}, a massage business in {city}. Customers arrive until 2am; the same man drives the women to a house nearby each morning. A former worker says they owe the owner $40,000 for the journey and that she keeps their passports.",
        forms=[T.SEXUAL],
        venues=[V.ILLICIT_MASSAGE],
        control=[
            M.DEBT_BONDAGE,
            M.WITHHOLDS_DOCUMENTS,
            M.RESTRICTS_MOVEMENT,
            M.THREATS_LAW_ENFORCEMENT,
        ],
        recruitment=[R.ONLINE_AD],
        victims=("asia", "F", (28, 47), ["CN", "KR"], "chi", (2, 3)),
        businesses=["Golden Lotus Spa", "Sunrise Relaxation Center", "Jade Garden Massage"],
        exploiter=("asia", "F", ["Exploiter", "ControlledIndividual"]),
        signaler="community_member",
    ),
    dict(
        country="US",
        lang="en",
        type="sex",
        level="high",
        minor=True,
        title="Minor advertised online, {city}",
        summary="A 16-year-old who ran away from a group home is being advertised on an escort site. Her 'boyfriend' posts the ads, books hotel rooms near the airport in {city} and keeps the money. He hit her when she said she wanted to go home.",
        forms=[T.SEXUAL],
        venues=[V.ESCORT],
        control=[M.PHYSICAL_ABUSE, M.PSYCHOLOGICAL_ABUSE, M.TAKES_EARNINGS, M.PSYCHOACTIVE],
        recruitment=[R.SOCIAL_NETWORKS],
        victims=("en", "F", (15, 17), ["US"], "eng", (1, 1)),
        businesses=[],
        exploiter=("en", "M", ["Exploiter", "RecruiterOrIntermediary"]),
        relationship="Acquainted",
        signaler="family_friend",
    ),
    dict(
        country="US",
        lang="es",
        type="labour",
        level="high",
        title="Trabajadores agrícolas H-2A, {city}",
        places=[
            ("US-FL", "Immokalee", "239"),
            ("US-CA", "Fresno", "559"),
            ("US-WA", "Yakima", "509"),
            ("US-NC", "Charlotte", "704"),
        ],
        summary="Doce hombres reclutados en Guanajuato y Michoacán con visa H-2A pagaron 3 000 dólares cada uno al reclutador y ahora le deben al contratista, {business}, más de lo que ganan. El mayordomo les guarda los pasaportes, les cobra por vivir en una casa rodante sin agua y amenaza con llamar a migración si se quejan.",
        forms=[T.FORCED_LABOUR],
        venues=[V.AGRICULTURE],
        control=[
            M.DEBT_BONDAGE,
            M.WITHHOLDS_DOCUMENTS,
            M.THREATS_LAW_ENFORCEMENT,
            M.EXCESSIVE_HOURS,
        ],
        recruitment=[R.PLACE_OF_BUSINESS],
        victims=("es", "M", (19, 45), ["MX"], "spa", (2, 3)),
        businesses=["Green Valley Farm Labor Contractors", "Sun Harvest Staffing LLC"],
        exploiter=("es", "M", ["RecruiterOrIntermediary", "Exploiter"]),
        signaler="service_provider",
        origin=("MX", "MX-GUA"),
    ),
    dict(
        country="US",
        lang="en",
        type="labour",
        level="high",
        title="Live-in nanny held by employer, {city}",
        summary="A Filipina woman brought to {city} by a family on a visitor visa works 16 hours a day caring for three children, sleeps in the laundry room and has not been paid in eight months. Her employers keep her passport and tell her she will be arrested if she leaves the house alone.",
        forms=[T.SERVITUDE, T.FORCED_LABOUR],
        venues=[V.DOMESTIC_WORK],
        control=[
            M.WITHHOLDS_DOCUMENTS,
            M.EXCESSIVE_HOURS,
            M.RESTRICTS_MOVEMENT,
            M.THREATS_LAW_ENFORCEMENT,
            M.TAKES_EARNINGS,
        ],
        recruitment=[R.FRIENDS],
        victims=("fil", "F", (34, 55), ["PH"], "tgl", (1, 1)),
        businesses=[],
        exploiter=("en", "F", ["Exploiter"]),
        signaler="community_member",
        origin=("PH", ""),
    ),
    dict(
        country="US",
        lang="en",
        type="labour",
        level="moderate",
        title="Traveling sales crew, {city}",
        summary="Young adults recruited through an ad promising 'travel the country, earn $1,000 a week' sell magazine subscriptions door to door twelve hours a day for {business}. The crew manager holds everyone's ID, leaves sellers who miss quota at gas stations, and charges for motel rooms so nobody clears any pay.",
        forms=[T.FORCED_LABOUR],
        venues=[V.SALES_CREWS],
        control=[
            M.TAKES_EARNINGS,
            M.WITHHOLDS_DOCUMENTS,
            M.PHYSICAL_THREATS,
            M.PSYCHOLOGICAL_ABUSE,
        ],
        recruitment=[R.ONLINE_AD],
        victims=("en", "X", (18, 23), ["US"], "eng", (2, 3)),
        businesses=["Star Horizon Sales LLC", "Open Road Subscriptions"],
        exploiter=("en", "M", ["Exploiter", "ControlledIndividual"]),
        signaler="potential_victim",
    ),
    dict(
        country="US",
        lang="es",
        type="labour",
        level="moderate",
        title="Cocineros alojados por el patrón, {city}",
        summary="Cuatro cocineros de Guatemala viven en un departamento que pertenece al dueño de {business}. Trabajan seis días de 11 de la mañana a medianoche; el dueño les descuenta la renta y una 'deuda' por el cruce y casi no les queda nada. Les dijo que si se van, migración los va a encontrar.",
        forms=[T.FORCED_LABOUR],
        venues=[V.RESTAURANTS],
        control=[M.DEBT_BONDAGE, M.EXCESSIVE_HOURS, M.THREATS_LAW_ENFORCEMENT, M.TAKES_EARNINGS],
        recruitment=[R.FAMILY],
        victims=("es", "M", (20, 38), ["GT"], "spa", (2, 3)),
        businesses=["Casa Jalisco Restaurant", "El Buen Sabor Grill"],
        exploiter=("es", "M", ["Exploiter"]),
        signaler="potential_victim",
        origin=("GT", ""),
    ),
    dict(
        country="US",
        lang="es",
        type="sex_and_labour",
        level="high",
        title="Cantina con 'ficheras', {city}",
        summary="Mujeres de Honduras y El Salvador trabajan como 'ficheras' en {business}: les pagan por cada bebida que los clientes les compran y las presionan para tener relaciones sexuales en los cuartos de atrás. El dueño dice que cada una le debe 8 000 dólares por el cruce y conoce a sus familias.",
        forms=[T.SEXUAL, T.FORCED_LABOUR],
        venues=[V.BARS],
        control=[M.DEBT_BONDAGE, M.SEXUAL_ABUSE, M.PHYSICAL_THREATS, M.THREATENS_FAMILY],
        recruitment=[R.FRIENDS],
        victims=("es", "F", (18, 29), ["HN", "SV"], "spa", (2, 3)),
        businesses=["La Herradura Bar", "Cantina El Paraíso"],
        exploiter=("es", "M", ["Exploiter", "Smuggler"]),
        signaler="anonymous",
        origin=("HN", ""),
    ),
    dict(
        country="US",
        lang="en",
        type="sex",
        level="moderate",
        title="Forced webcam performances, {city}",
        summary="A 19-year-old says her ex-partner makes her perform on a livestreaming site from his apartment in {city}, controls the account and the money, and threatens to send videos to her family if she stops.",
        forms=[T.SEXUAL],
        venues=[V.REMOTE_SEXUAL],
        control=[M.PSYCHOLOGICAL_ABUSE, M.TAKES_EARNINGS, M.THREATENS_FAMILY, M.RESTRICTS_FINANCES],
        recruitment=[R.SOCIAL_NETWORKS],
        victims=("en", "F", (19, 22), ["US"], "eng", (1, 1)),
        businesses=[],
        exploiter=("en", "M", ["Exploiter"]),
        relationship="Acquainted",
        signaler="potential_victim",
    ),
    dict(
        country="US",
        lang="es",
        type="labour",
        level="moderate",
        title="Cuadrilla de construcción, {city}",
        places=[
            ("US-TX", "Houston", "713"),
            ("US-FL", "Miami", "305"),
            ("US-LA", "New Orleans", "504"),
        ],
        summary="Trabajadores reclutados en Texas para reparar casas después de una tormenta en {city} duermen en una bodega, les pagan mucho menos de lo prometido y les dicen que deben las herramientas, el transporte y la comida. El capataz les quitó los teléfonos 'por seguridad'.",
        forms=[T.FORCED_LABOUR],
        venues=[V.CONSTRUCTION],
        control=[M.DEBT_BONDAGE, M.FALSE_PROMISES, M.RESTRICTS_MOVEMENT, M.WITHHOLDS_NECESSITIES],
        recruitment=[R.AT_WORK],
        victims=("es", "M", (20, 50), ["MX", "HN", "GT"], "spa", (2, 3)),
        businesses=["Premier Restoration Crews", "Gulf Coast Rebuilders Inc."],
        exploiter=("es", "M", ["Exploiter", "Transporter"]),
        signaler="community_member",
    ),
    dict(
        country="US",
        lang="en",
        type="other",
        level="moderate",
        minor=True,
        title="Forced marriage planned abroad, {city}",
        summary="A 17-year-old says her parents have arranged her marriage this summer to a 34-year-old man abroad. They took her phone and passport and she may not leave the house except for school. A school counsellor is supporting her.",
        forms=[T.FORCED_MARRIAGE],
        venues=[V.RESIDENTIAL],
        control=[M.RESTRICTS_MOVEMENT, M.WITHHOLDS_DOCUMENTS, M.PSYCHOLOGICAL_ABUSE],
        recruitment=[R.FAMILY],
        victims=("en", "F", (16, 17), ["US"], "eng", (1, 1)),
        businesses=[],
        exploiter=("en", "M", ["Other"]),
        relationship="Familial",
        signaler="service_provider",
    ),
    dict(
        country="US",
        lang="en",
        type="labour",
        level="low",
        title="Hotel housekeepers placed by agency, {city}",
        summary="Housekeepers placed at two hotels in {city} by {business} are paid in cash below minimum wage, live in rooms the agency rents and pay $200 a week for 'transport'. Workers who complain are sent away without their last pay.",
        forms=[T.FORCED_LABOUR],
        venues=[V.HOTELS],
        control=[M.DEBT_BONDAGE, M.TAKES_EARNINGS, M.FALSE_PROMISES],
        recruitment=[R.ONLINE_AD],
        victims=("es", "F", (25, 45), ["MX", "VE"], "spa", (1, 2)),
        businesses=["Elite Hospitality Staffing", "Premier Staffing Solutions LLC"],
        exploiter=("en", "M", ["RecruiterOrIntermediary"]),
        signaler="business",
    ),
    # ---- México ----
    dict(
        country="MX",
        lang="es",
        type="sex",
        level="high",
        title="Explotación sexual en bar, {city}",
        places=[
            ("MX-CHP", "Tapachula", "962"),
            ("MX-CMX", "Cuauhtémoc", "55"),
            ("MX-ROO", "Benito Juárez (Cancún)", "998"),
            ("MX-BCN", "Tijuana", "664"),
        ],
        summary="Mujeres jóvenes de Chiapas y de Guatemala trabajan como meseras en {business}; las obligan a 'fichar' y a tener relaciones sexuales con clientes en cuartos anexos. El encargado les retiene sus documentos y les dice que deben la comida y el hospedaje.",
        forms=[T.SEXUAL],
        mx=[X.EXPLOTACION_SEXUAL],
        venues=[V.BARS],
        control=[M.DEBT_BONDAGE, M.WITHHOLDS_DOCUMENTS, M.SEXUAL_ABUSE, M.RESTRICTS_MOVEMENT],
        recruitment=[R.FRIENDS],
        victims=("es", "F", (18, 26), ["MX", "GT"], "spa", (2, 3)),
        businesses=["Bar La Herradura", "Cantina Los Arcos", "Bar El Sarape"],
        exploiter=("es", "M", ["Exploiter", "ControlledIndividual"]),
        signaler="anonymous",
        origin=("MX", "MX-CHP"),
    ),
    dict(
        country="MX",
        lang="es",
        type="sex",
        level="high",
        minor=True,
        title="Adolescente enganchada por su 'novio', {city}",
        summary="Una joven de 16 años se fue con un hombre que conoció por Facebook y que le prometió casarse con ella. Ahora la tiene en un cuarto de hotel en {city} y la obliga a tener relaciones sexuales con otros hombres; la madre recibió un mensaje de ella pidiendo ayuda.",
        forms=[T.SEXUAL],
        mx=[X.EXPLOTACION_SEXUAL],
        venues=[V.PERSONAL_SERVITUDE],
        control=[M.PSYCHOLOGICAL_ABUSE, M.PHYSICAL_ABUSE, M.TAKES_EARNINGS, M.RESTRICTS_MOVEMENT],
        recruitment=[R.SOCIAL_NETWORKS],
        victims=("es", "F", (15, 17), ["MX"], "spa", (1, 1)),
        businesses=[],
        exploiter=("es", "M", ["RecruiterOrIntermediary", "Exploiter"]),
        relationship="Acquainted",
        signaler="family_friend",
        origin=("MX", "MX-TLA"),
    ),
    dict(
        country="MX",
        lang="es",
        type="labour",
        level="high",
        title="Jornaleros agrícolas retenidos, {city}",
        places=[
            ("MX-SIN", "Culiacán", "667"),
            ("MX-BCN", "Ensenada", "646"),
            ("MX-JAL", "Zapopan", "33"),
        ],
        summary="Familias indígenas de Guerrero y Oaxaca fueron llevadas por un enganchador a un campo agrícola en {city}. Trabajan de sol a sol en el corte de tomate, les cobran la comida en la tienda del campo y no les pagan desde hace seis semanas; hay niños trabajando y guardias en la salida.",
        forms=[T.FORCED_LABOUR, T.CHILD_LABOUR],
        mx=[X.EXPLOTACION_LABORAL, X.TRABAJO_FORZADO],
        venues=[V.AGRICULTURE],
        control=[
            M.DEBT_BONDAGE,
            M.RESTRICTS_MOVEMENT,
            M.EXCESSIVE_HOURS,
            M.TAKES_EARNINGS,
            M.USES_CHILDREN,
        ],
        recruitment=[R.OTHER],
        victims=("es", "X", (12, 48), ["MX"], "mix", (2, 3)),
        businesses=["Agrícola Los Pinos S.P.R.", "Campo El Mirador"],
        exploiter=("es", "M", ["RecruiterOrIntermediary", "Transporter"]),
        signaler="service_provider",
        origin=("MX", "MX-GRO"),
    ),
    dict(
        country="MX",
        lang="es",
        type="labour",
        level="moderate",
        minor=True,
        title="Niñas y niños vendiendo en cruceros, {city}",
        summary="En un crucero de {city} hay al menos cinco niñas y niños de entre 6 y 12 años vendiendo dulces y limpiando parabrisas hasta la madrugada. Una mujer los vigila desde un auto y les quita todo el dinero; los niños no van a la escuela.",
        forms=[T.FORCED_BEGGING, T.CHILD_LABOUR],
        mx=[X.MENDICIDAD_FORZOSA],
        venues=[V.PEDDLING],
        control=[M.TAKES_EARNINGS, M.USES_CHILDREN, M.PHYSICAL_THREATS],
        recruitment=[R.FAMILY],
        victims=("es", "X", (6, 12), ["MX"], "spa", (2, 3)),
        businesses=[],
        exploiter=("es", "F", ["Exploiter", "ControlledIndividual"]),
        signaler="community_member",
    ),
    dict(
        country="MX",
        lang="es",
        type="labour",
        level="high",
        title="Trabajadora del hogar sin salario, {city}",
        summary="Mujer de 19 años originaria de la Sierra Mazateca trabaja desde hace dos años en una casa de {city}. No le pagan, duerme en la azotea, no la dejan salir ni comunicarse con su familia y la patrona la golpea.",
        forms=[T.SERVITUDE, T.FORCED_LABOUR],
        mx=[X.CONDICION_SIERVO, X.TRABAJO_FORZADO],
        venues=[V.DOMESTIC_WORK],
        control=[M.RESTRICTS_MOVEMENT, M.PHYSICAL_ABUSE, M.TAKES_EARNINGS, M.EXCESSIVE_HOURS],
        recruitment=[R.FAMILY],
        victims=("es", "F", (18, 20), ["MX"], "spa", (1, 1)),
        businesses=[],
        exploiter=("es", "F", ["Exploiter"]),
        signaler="community_member",
        origin=("MX", "MX-OAX"),
    ),
    dict(
        country="MX",
        lang="es",
        type="sex",
        level="high",
        title="Falsa oferta de trabajo como modelo, {city}",
        summary="{business} anuncia en redes sociales trabajo de edecán y modelo con sueldo de 25 000 pesos al mes. Piden fotos y citan a entrevistas en un hotel de {city}; dos jóvenes que fueron fueron llevadas a Cancún y obligadas a trabajar en un table dance.",
        forms=[T.SEXUAL],
        mx=[X.EXPLOTACION_SEXUAL],
        venues=[V.BARS, V.ESCORT],
        control=[M.FALSE_PROMISES, M.WITHHOLDS_DOCUMENTS, M.DEBT_BONDAGE],
        recruitment=[R.ONLINE_AD, R.SOCIAL_NETWORKS],
        victims=("es", "F", (18, 23), ["MX", "VE"], "spa", (1, 2)),
        businesses=["Agencia de Modelos Estrella", "Talentos VIP Casting"],
        exploiter=("es", "M", ["RecruiterOrIntermediary"]),
        signaler="family_friend",
        exploitation_place=("MX", "MX-ROO", "Benito Juárez (Cancún)"),
    ),
    dict(
        country="MX",
        lang="es",
        type="other",
        level="high",
        minor=True,
        title="Reclutamiento de adolescentes para actividades delictivas, {city}",
        summary="Adolescentes de 14 y 15 años de una colonia de {city} son reclutados por un grupo que les ofrece dinero por vigilar y avisar por radio. A uno que quiso salirse lo amenazaron con hacerle daño a su familia.",
        forms=[T.OTHER],
        mx=[X.MENORES_DELICTIVAS],
        venues=[V.ILLICIT_ACTIVITIES],
        control=[M.THREATENS_FAMILY, M.PHYSICAL_THREATS, M.USES_CHILDREN],
        recruitment=[R.FRIENDS],
        victims=("es", "M", (14, 15), ["MX"], "spa", (1, 2)),
        businesses=[],
        exploiter=("es", "M", ["RecruiterOrIntermediary"]),
        signaler="family_friend",
    ),
    dict(
        country="MX",
        lang="es",
        type="other",
        level="moderate",
        minor=True,
        title="Matrimonio forzoso de adolescente, {city}",
        places=[
            ("MX-GRO", "Tlapa de Comonfort", "757"),
            ("MX-OAX", "Oaxaca de Juárez", "951"),
            ("MX-CHP", "Tuxtla Gutiérrez", "961"),
        ],
        summary="Una adolescente de 14 años de una comunidad de {city} va a ser entregada en matrimonio a la familia de un hombre de 30 años a cambio de dinero. Ella pidió ayuda a una maestra, que llamó a la línea.",
        forms=[T.FORCED_MARRIAGE],
        mx=[X.MATRIMONIO_FORZOSO],
        venues=[V.RESIDENTIAL],
        control=[M.PSYCHOLOGICAL_ABUSE, M.RESTRICTS_MOVEMENT],
        recruitment=[R.FAMILY],
        victims=("es", "F", (14, 14), ["MX"], "spa", (1, 1)),
        businesses=[],
        exploiter=("es", "M", ["BoughtIndividual"]),
        relationship="Familial",
        signaler="service_provider",
    ),
    dict(
        country="MX",
        lang="es",
        type="labour",
        level="moderate",
        title="Taller de costura clandestino, {city}",
        summary="En un taller de costura dentro de una casa de {city} trabajan unas 15 personas, algunas menores de edad, de 8 de la mañana a 11 de la noche. Duermen en el taller, el dueño les retiene el pago 'para que no se vayan' y las puertas están cerradas con candado.",
        forms=[T.FORCED_LABOUR],
        mx=[X.TRABAJO_FORZADO, X.EXPLOTACION_LABORAL],
        venues=[V.FACTORIES],
        control=[M.RESTRICTS_MOVEMENT, M.TAKES_EARNINGS, M.EXCESSIVE_HOURS],
        recruitment=[R.ONLINE_AD],
        victims=("es", "X", (16, 35), ["MX"], "spa", (2, 3)),
        businesses=["Confecciones Lupita", "Maquiladora Textil del Centro"],
        exploiter=("es", "M", ["Exploiter"]),
        signaler="anonymous",
    ),
    dict(
        country="MX",
        lang="es",
        type="sex_and_labour",
        level="high",
        title="Familia migrante retenida por enganchador, {city}",
        places=[
            ("MX-CHP", "Tapachula", "962"),
            ("MX-CHH", "Juárez", "656"),
            ("MX-BCN", "Tijuana", "664"),
        ],
        summary="Una familia hondureña en tránsito aceptó trabajo en {city} por medio de un hombre que los abordó en la terminal de autobuses. Ahora la mujer trabaja en un bar y el hombre en una obra; les dicen que deben 30 000 pesos por el traslado y que si denuncian los van a deportar.",
        forms=[T.SEXUAL, T.FORCED_LABOUR],
        mx=[X.EXPLOTACION_SEXUAL, X.EXPLOTACION_LABORAL],
        venues=[V.BARS, V.CONSTRUCTION],
        control=[M.DEBT_BONDAGE, M.THREATS_LAW_ENFORCEMENT, M.FALSE_PROMISES],
        recruitment=[R.PLACE_OF_BUSINESS],
        victims=("es", "X", (22, 34), ["HN"], "spa", (2, 2)),
        businesses=["Bar Las Palmas"],
        exploiter=("es", "M", ["RecruiterOrIntermediary", "Exploiter"]),
        signaler="service_provider",
        origin=("HN", ""),
    ),
    dict(
        country="MX",
        lang="es",
        type="labour",
        level="moderate",
        title="Falsa oferta de trabajo en Estados Unidos, {city}",
        summary="Un reclutador de {business} ofrece en {city} trabajo en Estados Unidos con visa H-2B y cobró 18 000 pesos a 20 hombres 'por el trámite'. Los que ya viajaron dicen que en Luisiana les quitaron el pasaporte y trabajan en una procesadora de mariscos sin pago.",
        forms=[T.FORCED_LABOUR],
        mx=[X.EXPLOTACION_LABORAL, X.TRABAJO_FORZADO],
        venues=[V.FACTORIES],
        control=[M.DEBT_BONDAGE, M.WITHHOLDS_DOCUMENTS, M.FALSE_PROMISES],
        recruitment=[R.PLACE_OF_BUSINESS],
        victims=("es", "M", (21, 44), ["MX"], "spa", (2, 3)),
        businesses=["Reclutadora Empleos Norte", "Visas y Trabajo Internacional"],
        exploiter=("es", "M", ["RecruiterOrIntermediary", "BrokerTravelAgent"]),
        signaler="family_friend",
        exploitation_place=("US", "US-LA", "Houma"),
    ),
]

# Status mix for ~40 cases; the newest are new, the oldest mostly closed.
STATUS_BY_AGE = (
    ["new"] * 6 + ["active"] * 12 + ["referred"] * 6 + ["monitoring"] * 5 + ["closed"] * 11
)
CLOSING_REASONS = [
    "services_connected",
    "reported_le",
    "referred_out",
    "no_further_contact",
    "declined",
    "not_trafficking",
    "reported_le",
    "services_connected",
]


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    country: str
    users: int
    contacts: int
    cases: int
    known_caller: str  # E.164
    known_caller_contacts: int


# --- Helpers -----------------------------------------------------------------------------------


@contextmanager
def _clock(moment: datetime):
    """Make the seeding "happen" at `moment`: auto_now fields, the case reference's year
    and the audit entry's time then agree with the story, and the audit chain stays in
    time order because cases are opened oldest first. Seeding runs alone in one thread
    before the server starts, so patching the clock here touches nothing else."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _pick(rng: random.Random, weighted: list[tuple]) -> str:
    values, weights = zip(*[(item[0], item[1]) for item in weighted], strict=True)
    return rng.choices(values, weights=weights)[0]


class _Numbers:
    """Fictional phone numbers, each handed out once, written the ways people write them."""

    def __init__(self, rng: random.Random, country: str):
        self.rng = rng
        self.country = country
        self.used = {
            normalise_phone(KNOWN_CALLER[country], default_region=country),
            normalise_phone(RECURRING_EXPLOITER_PHONE[country], default_region=country),
        }

    def new(self, area: str, *, country: str | None = None) -> tuple[str, str]:
        country = country or self.country
        for _attempt in range(200):
            tail = self.rng.randint(100, 199) if country == "US" else self.rng.randint(0, 9999)
            raw = self._write(area, tail, country)
            e164 = normalise_phone(raw, default_region=country)
            if e164 not in self.used:
                self.used.add(e164)
                return raw, e164
        raise RuntimeError("ran out of fictional numbers")

    def _write(self, area: str, tail: int, country: str) -> str:
        rng = self.rng
        if country == "US":
            line = f"01{tail - 100:02d}"
            style = rng.randrange(4)
            return [
                f"({area}) 555-{line}",
                f"{area}-555-{line}",
                f"+1 {area} 555 {line}",
                f"{area}.555.{line}",
            ][style]
        # Mexico: ten digits; the old mobile prefix "+52 1" still turns up in call logs.
        local = ("5555" if len(area) == 2 else "555") + f"{tail:04d}"
        spaced = f"{area} {local[:-4]} {local[-4:]}"
        style = rng.choices(["plain", "plus", "old", "paren"], weights=[45, 20, 25, 10])[0]
        return {
            "plain": spaced,
            "plus": f"+52 {spaced}",
            "old": f"+52 1 {spaced}",
            "paren": f"({area}) {local[:-4]}-{local[-4:]}",
        }[style]


def _place(rng: random.Random, country: str) -> tuple[str, str, str]:
    subdivision = _pick(rng, [(code, weight) for code, weight, _cities in PLACES[country]])
    cities = next(cities for code, _w, cities in PLACES[country] if code == subdivision)
    city, area = rng.choice(cities)
    return subdivision, city, area


def state_name(subdivision: str) -> str:
    from puente.core.geography import subdivision_name

    return subdivision_name(subdivision)


def fill(text: str, *, country: str, lang: str, **values) -> str:
    return text.format(**TERMS[(country, lang)], **values)


def lang2(language: str, country: str) -> str:
    """Which language a narrative is written in: the contact's, or (through an
    interpreter) the hotline's own."""
    if language == "spa":
        return "es"
    if language == "eng":
        return "en"
    return "es" if country == "MX" else "en"


def _moment(rng: random.Random, now: datetime, *, days_ago: float) -> datetime:
    """A time `days_ago` before now, at an hour weighted to when hotlines are busiest."""
    day = now - timedelta(days=days_ago)
    hour = rng.choices(
        range(24), weights=[2, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 7, 7, 6, 6, 5, 4, 3, 3]
    )[0]
    moment = day.replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
    )
    return min(moment, now - timedelta(minutes=rng.randint(20, 90)))


def duration(rng: random.Random, channel: str, reason: str) -> timedelta:
    if reason == "hang_up":
        return timedelta(seconds=rng.randint(5, 70))
    if channel in {"phone", "whatsapp"}:
        return timedelta(minutes=rng.randint(4, 45))
    if channel in {"chat", "sms"}:
        return timedelta(minutes=rng.randint(10, 70))
    return timedelta(minutes=rng.randint(5, 20))  # time to process a web form or an email


def person_name(rng: random.Random, pool: str, gender: str) -> tuple[str, str]:
    if pool == "asia":
        return rng.choice(NAMES["asia_f"]), rng.choice(NAMES["asia_last"])
    if pool == "fil":
        return rng.choice(NAMES["fil_f"]), rng.choice(NAMES["fil_last"])
    first = rng.choice(NAMES[f"{pool}_{'f' if gender == 'F' else 'm'}"])
    last = rng.choice(NAMES[f"{pool}_last"])
    if pool == "es" and rng.random() < 0.6:
        last = f"{last} {rng.choice(NAMES['es_last'])}"
    return first, last


def _codes(values) -> list[str]:
    return [str(value) for value in values]


def age_band(age: int) -> str:
    for band, low, high in [
        ("0-8", 0, 8),
        ("9-17", 9, 17),
        ("18-20", 18, 20),
        ("21-23", 21, 23),
        ("24-26", 24, 26),
        ("27-29", 27, 29),
        ("30-38", 30, 38),
        ("39-47", 39, 47),
    ]:
        if low <= age <= high:
            return band
    return "48+"


# --- Seeding -----------------------------------------------------------------------------------


def is_seeded() -> bool:
    """The demo users are the marker: they are created in the same transaction as
    everything else, so if they exist, the whole demo does."""
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def summary(*, country: str | None = None, created: bool = False) -> DemoSummary:
    country = (country or settings.PUENTE_COUNTRY).upper()
    known = normalise_phone(KNOWN_CALLER[country], default_region=country)
    return DemoSummary(
        created=created,
        country=country,
        users=User.objects.filter(username__in=DEMO_USERNAMES).count(),
        contacts=Contact.objects.count(),
        cases=Case.objects.count(),
        known_caller=known,
        known_caller_contacts=Contact.objects.filter(phone=known).count(),
    )


def demo_users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}


def seed_demo_data(*, country: str | None = None) -> DemoSummary:
    """Create the demo hotline once. A second call finds the demo users and changes
    nothing."""
    country = (country or settings.PUENTE_COUNTRY).upper()
    if is_seeded():
        return summary(country=country, created=False)
    from puente.directory.demo import seed_demo_directory
    from puente.referrals.demo import seed_demo_referrals
    from puente.search.indexing import rebuild_index

    with transaction.atomic():
        _Seeder(country=country).run()
        seed_demo_directory(country=country, by=User.objects.get(username="administrator"))
        seed_demo_referrals(country=country, by=User.objects.get(username="advocate"))
    # Contacts are bulk-created (no per-row hooks), so the index is rebuilt once at the end.
    rebuild_index()
    return summary(country=country, created=True)


class _Seeder:
    def __init__(self, *, country: str):
        self.country = country
        self.rng = random.Random(SEED[country])
        self.now = timezone.now()
        self.numbers = _Numbers(self.rng, country)
        self.contacts: list[Contact] = []

    # ---- staff

    def _staff(self) -> None:
        language = "es" if self.country == "MX" else "en"
        # One hash for the shared demo password: hashing it seven times would add
        # seconds to every first demo run for nothing.
        password = make_password(DEMO_PASSWORD)
        users = []
        for username, role, first, last in STAFF[self.country]:
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    role=role,
                    language=language,
                    email=f"{username}@hotline.example",
                    password=password,
                    is_staff=role == Role.ADMINISTRATOR,
                )
            )
        User.objects.bulk_create(users)
        self.users = demo_users()
        self.advocates = [self.users["advocate"], self.users["advocate2"], self.users["advocate3"]]
        self.takers = self.advocates * 3 + [self.users["supervisor"]]

    # ---- contacts

    def _contact(
        self,
        *,
        started_at: datetime,
        reason: str,
        signaler: str,
        language: str,
        channel: str,
        summary_text: str,
        place: tuple[str, str, str],
        phone: tuple[str, str] | None,
        case: Case | None = None,
        level: str = "",
        danger: bool = False,
        country: str | None = None,
        taker: User | None = None,
    ) -> Contact:
        subdivision, city, _area = place
        interpreter = language not in {"eng", "spa"}
        contact = Contact(
            channel=channel,
            direction="inbound",
            started_at=started_at,
            ended_at=started_at + duration(self.rng, channel, reason),
            signaler_type=signaler,
            language=language,
            interpreter_used=interpreter,
            interpreter_language=language if interpreter else "",
            phone_raw=phone[0] if phone else "",
            phone=phone[1] if phone else "",
            country=country or self.country,
            subdivision=subdivision,
            city=city,
            reason=reason,
            summary=summary_text,
            imminent_danger=danger,
            level_of_indicators=level,
            case=case,
            taken_by=taker or self.rng.choice(self.takers),
        )
        self.contacts.append(contact)
        return contact

    def _general_contact(self, *, days_ago: float) -> None:
        rng = self.rng
        reason = _pick(rng, REASONS[self.country])
        channel = _pick(rng, CHANNELS[self.country])
        language = _pick(rng, LANGUAGES[self.country])
        signaler = "anonymous" if reason == "hang_up" else _pick(rng, SIGNALERS)
        if reason == "hang_up" and channel not in {"phone", "whatsapp"}:
            channel = "phone"
        place = _place(rng, self.country)
        country = self.country
        # Some signals come from across the border: the partner hotline's country.
        if rng.random() < 0.05:
            country = "MX" if self.country == "US" else "US"
            place = _place(rng, country)
        if reason == "hang_up" and rng.random() < 0.6:
            place = ("", "", place[2])  # nobody said where they were
        phone = None
        if channel in {"phone", "sms", "whatsapp"} and rng.random() < 0.9:
            phone = self.numbers.new(place[2], country=country)
        lang = lang2(language, self.country)
        story = rng.choice(CONTACT_STORIES[reason][lang])
        text = fill(
            story,
            country=self.country,
            lang=lang,
            city=place[1] or "—",
            state=state_name(place[0]) if place[0] else "—",
        )
        level = {
            "tip": rng.choice(["moderate", "low", "high"]),
            "crisis": "high",
            "high_risk": "low",
        }.get(reason, "")
        self._contact(
            started_at=_moment(rng, self.now, days_ago=days_ago),
            reason=reason,
            signaler=signaler,
            language=language,
            channel=channel,
            summary_text=text,
            place=place,
            phone=phone,
            level=level,
            danger=reason == "crisis",
            country=country,
        )

    # ---- cases

    def _scenarios(self) -> list[dict]:
        return [s for s in SCENARIOS if s["country"] == self.country]

    def _case(
        self,
        *,
        index: int,
        scenario: dict,
        opened_at: datetime,
        status: str,
        danger: bool,
        owner: User,
        restricted: bool = False,
    ) -> Case:
        rng = self.rng
        lang = scenario["lang"]
        subdivision, city, area = (
            rng.choice(scenario["places"]) if "places" in scenario else _place(rng, self.country)
        )
        business = rng.choice(scenario["businesses"]) if scenario["businesses"] else ""
        title = scenario["title"].format(city=city)
        summary_text = scenario["summary"].format(city=city, business=business or "—")
        fields = dict(
            title=title,
            summary=summary_text,
            status=status,
            exploitation_type=scenario["type"],
            forms_of_exploitation=_codes(scenario["forms"]),
            venues=_codes(scenario["venues"]),
            methods_of_control=_codes(scenario["control"]),
            methods_of_recruitment=_codes(scenario["recruitment"]),
            level_of_indicators=scenario["level"],
            imminent_danger=danger,
            restricted=restricted,
            owner=owner,
        )
        if self.country == "MX":
            fields["mx_forms_of_exploitation"] = _codes(scenario.get("mx", []))
        if status == "closed":
            reason = CLOSING_REASONS[index % len(CLOSING_REASONS)]
            fields["closing_reason"] = reason
            fields["closing_note"] = fill(CLOSING[lang][reason], country=self.country, lang=lang)
            fields["closed_at"] = min(opened_at + timedelta(days=rng.randint(14, 120)), self.now)

        from puente.cases.domain import open_case

        with _clock(opened_at):
            case = open_case(by=owner, **fields)
            self._people(case=case, scenario=scenario, area=area, business=business)
            self._locations(case=case, scenario=scenario, subdivision=subdivision, city=city)

        # The contacts that brought the case in: the first a few minutes before it opened.
        signaler = scenario["signaler"]
        language = "spa" if lang == "es" else "eng"
        channel = _pick(rng, CHANNELS[self.country])
        phone = self.numbers.new(area) if channel in {"phone", "sms", "whatsapp"} else None
        first_reason = (
            "crisis" if danger else rng.choice(["tip", "tip", "tip", "services", "high_risk"])
        )
        self._contact(
            started_at=opened_at - timedelta(minutes=rng.randint(15, 50)),
            reason=first_reason,
            signaler=signaler,
            language=language,
            channel=channel,
            summary_text=summary_text,
            place=(subdivision, city, area),
            phone=phone,
            case=case,
            level=scenario["level"],
            danger=danger,
            taker=owner,
        )
        for _n in range(rng.randint(0, 2)):
            # Clamped rather than skipped, so the random sequence (and so the data) is the
            # same whatever day the demo is seeded on.
            later = opened_at + timedelta(days=rng.uniform(1, 30))
            later = max(
                min(later, self.now - timedelta(minutes=30)), opened_at + timedelta(minutes=5)
            )
            self._contact(
                started_at=later,
                reason="services" if signaler == "potential_victim" else "tip",
                signaler=signaler,
                language=language,
                channel=channel,
                summary_text=rng.choice(NOTES[lang]).format(**TERMS[(self.country, lang)]),
                place=(subdivision, city, area),
                phone=phone,
                case=case,
                level=scenario["level"],
            )
        self._work(case=case, lang=lang, opened_at=opened_at, status=status)
        return case

    def _people(self, *, case: Case, scenario: dict, area: str, business: str) -> None:
        rng = self.rng
        pool, gender, (age_lo, age_hi), citizenships, language, (n_lo, n_hi) = scenario["victims"]
        persons: list[Person] = []
        for _n in range(rng.randint(n_lo, n_hi)):
            sex = gender if gender in {"F", "M"} else rng.choice(["F", "M"])
            first, last = person_name(rng, pool, sex)
            age = rng.randint(age_lo, age_hi)
            known_age = rng.random() < 0.6
            citizenship = rng.choice(citizenships)
            persons.append(
                Person(
                    case=case,
                    role="potential_victim",
                    first_name=first,
                    last_name=last if rng.random() < 0.5 else "",
                    age=age if known_age else None,
                    age_band=age_band(age) if known_age else ("minor" if age < 18 else "adult"),
                    gender="Feminine" if sex == "F" else "Masculine",
                    citizenship=[citizenship],
                    nationality=citizenship,
                    primary_language=language,
                    trafficking_status="PossibleVictimOfTrafficking",
                    relationship_to_trafficker=scenario.get(
                        "relationship", rng.choice(["Acquainted", "Unaquainted"])
                    ),
                )
            )
        exploiter_pool, exploiter_gender, roles = scenario["exploiter"]
        first, last = person_name(rng, exploiter_pool, exploiter_gender)
        alias_pool = "es" if exploiter_pool == "es" else "en"
        exploiter = Person(
            case=case,
            role="exploiter",
            first_name=first if rng.random() < 0.5 else "",
            alias=rng.choice(ALIASES[alias_pool]),
            gender="Feminine" if exploiter_gender == "F" else "Masculine",
            age_band=rng.choice(["30-38", "39-47", "adult"]),
            roles_in_process=list(roles),
        )
        persons.append(exploiter)
        company = None
        if business:
            company = Person(
                case=case,
                role="exploiter",
                is_business=True,
                alias=business,
                roles_in_process=["Exploiter"],
            )
            persons.append(company)
        Person.objects.bulk_create(persons)

        identifiers = []

        def add(person, kind, value):
            normalised = (
                normalise_phone(value, default_region=self.country)
                if kind == "phone"
                else value.strip().lower()
            )
            identifiers.append(
                Identifier(case=case, person=person, kind=kind, value=value, normalised=normalised)
            )

        add(exploiter, "phone", self.numbers.new(area)[0])
        slug = (
            "".join(ch for ch in (business or exploiter.alias).lower() if ch.isalnum())[:14]
            or "anuncio"
        )
        if (
            V.ESCORT in scenario["venues"]
            or V.ILLICIT_MASSAGE in scenario["venues"]
            or R.ONLINE_AD in scenario["recruitment"]
        ):
            add(
                company or exploiter,
                "online_ad",
                f"https://classifieds.example/ad/{slug}-{rng.randint(10000, 99999)}",
            )
        if R.SOCIAL_NETWORKS in scenario["recruitment"]:
            add(exploiter, "social", f"@{slug}_{rng.randint(1, 99)}")
        if company is not None:
            add(company, "business", business)
            add(company, "email", f"contacto@{slug}.example")
        self._identifiers = identifiers

    def _locations(self, *, case: Case, scenario: dict, subdivision: str, city: str) -> None:
        rows = []
        origin = scenario.get("origin")
        if origin:
            rows.append(
                CaseLocation(
                    case=case, kind="Recruitment", country=origin[0], subdivision=origin[1]
                )
            )
        where = scenario.get("exploitation_place")
        if where:
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Recruitment",
                    country=self.country,
                    subdivision=subdivision,
                    city=city,
                )
            )
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Exploitation",
                    country=where[0],
                    subdivision=where[1],
                    city=where[2],
                )
            )
        else:
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Exploitation",
                    country=self.country,
                    subdivision=subdivision,
                    city=city,
                )
            )
        rows.append(
            CaseLocation(
                case=case, kind="current", country=self.country, subdivision=subdivision, city=city
            )
        )
        CaseLocation.objects.bulk_create(rows)

    def _work(self, *, case: Case, lang: str, opened_at: datetime, status: str) -> None:
        """Notes and tasks over the case's life; open cases keep open tasks, some overdue."""
        rng = self.rng
        terms = TERMS[(self.country, lang)]
        end = case.closed_at or self.now
        span = max((end - opened_at).total_seconds(), 3600)
        for body in rng.sample(NOTES[lang], rng.randint(1, 4)):
            at = opened_at + timedelta(seconds=rng.uniform(600, span))
            with _clock(min(at, self.now)):
                CaseNote.objects.create(case=case, author=case.owner, body=body.format(**terms))
        for title in rng.sample(TASKS[lang], rng.randint(1, 3)):
            created = opened_at + timedelta(seconds=rng.uniform(300, min(span, 86400 * 3)))
            due = (created + timedelta(days=rng.randint(1, 10))).date()
            roll = rng.random()  # drawn every time: the sequence must not depend on today
            done = status == "closed" or (due < self.now.date() and roll < 0.6)
            with _clock(min(created, self.now)):
                Task.objects.create(
                    case=case,
                    title=title,
                    assignee=rng.choice([case.owner, *self.advocates]),
                    due_date=due,
                    created_by=case.owner,
                    done_at=min(created + timedelta(days=rng.randint(0, 8)), self.now)
                    if done
                    else None,
                )

    # ---- the whole hotline

    def run(self) -> None:
        rng = self.rng
        self._staff()
        scenarios = self._scenarios()
        # Case ages: spread over 18 months, more of them recent (open work piles up).
        ages = sorted(
            (rng.triangular(0.5, DAYS_OF_HISTORY, 30) for _n in range(TARGET_CASES)), reverse=True
        )
        ages[-1], ages[-2], ages[-3] = 0.2, 0.6, 1.5  # fresh cases on today's queue
        ages.sort(reverse=True)
        statuses = list(reversed(STATUS_BY_AGE))  # oldest first -> closed first
        # A few old cases are still open (long investigations) and a few recent ones closed.
        statuses[3], statuses[14] = statuses[14], statuses[3]
        danger_at = {TARGET_CASES - 1, TARGET_CASES - 3, TARGET_CASES - 8}  # new and active
        restricted_at = {TARGET_CASES - 10: "advocate", TARGET_CASES - 16: "advocate2"}
        all_identifiers: list[Identifier] = []
        cases: list[Case] = []
        # Every scenario at least once, then a realistic repeat of the common ones.
        order = rng.sample(scenarios, len(scenarios))
        order += [rng.choice(scenarios) for _n in range(TARGET_CASES - len(order))]
        for index, days_ago in enumerate(ages):
            scenario = order[index]
            owner_name = restricted_at.get(index)
            owner = self.users[owner_name] if owner_name else rng.choice(self.advocates)
            opened_at = _moment(rng, self.now, days_ago=days_ago)
            case = self._case(
                index=index,
                scenario=scenario,
                opened_at=opened_at,
                status=statuses[index],
                danger=index in danger_at,
                owner=owner,
                restricted=owner_name is not None,
            )
            all_identifiers.extend(self._identifiers)
            cases.append(case)

        # Restricted cases: the first names the supervisor; the second only its owner, so
        # the demo advocate must "break the glass" (with a reason) to open it.
        first_restricted = cases[TARGET_CASES - 10]
        CaseAccess.objects.create(
            case=first_restricted,
            user=self.users["supervisor"],
            granted_by=self.users["supervisor"],
        )

        self._recurring(cases=cases, identifiers=all_identifiers)
        Identifier.objects.bulk_create(all_identifiers)

        done_days = sorted(
            rng.uniform(0, DAYS_OF_HISTORY) for _n in range(TARGET_CONTACTS - len(self.contacts))
        )
        for days_ago in done_days:
            self._general_contact(days_ago=days_ago)
        Contact.objects.bulk_create(self.contacts)
        # bulk_create stamps created_at with today; the record was made when the call ended.
        Contact.objects.filter(created_at__gte=self.now).update(
            created_at=F("ended_at"), updated_at=F("ended_at")
        )

    def _recurring(self, *, cases: list[Case], identifiers: list[Identifier]) -> None:
        """Numbers that come back: the known caller (a sister calling about an open case,
        who once called months earlier for information) and an exploiter's phone found
        in three unrelated cases."""
        rng = self.rng
        country = self.country
        lang = "es" if country == "MX" else "en"
        open_cases = [
            case for case in cases if case.status in {"active", "referred"} and not case.restricted
        ]
        case = open_cases[len(open_cases) // 2]
        raw = KNOWN_CALLER[country]
        known = normalise_phone(raw, default_region=country)
        area = raw.split(")")[0].strip("(") if country == "US" else "55"
        place = ("US-TX", "Houston", area) if country == "US" else ("MX-CMX", "Iztapalapa", area)
        sister = Person.objects.create(
            case=case,
            role="signaler",
            first_name="Daniela" if country == "MX" else "Tasha",
            last_name="Morales Vega" if country == "MX" else "Greene",
            gender="Feminine",
            notes="Hermana de la posible víctima; llamar solo a este número."
            if country == "MX"
            else "Sister of the potential victim; call back only on this number.",
        )
        identifiers.append(
            Identifier(case=case, person=sister, kind="phone", value=raw, normalised=known)
        )
        lines = {
            "en": [
                "Sister of a potential victim asked what the hotline can do if her sister cannot leave her job; explained options. Will call back.",
                "Sister calling again: her sister sent a voice message saying the boss took her phone for a week. Linked to the open case.",
                "Sister says the potential victim may be moved to another city this weekend; passed to the case owner.",
                "Text from the sister: 'She is OK, she called me from a friend's phone.'",
            ],
            "es": [
                "Hermana de una posible víctima preguntó qué puede hacer la línea si su hermana no puede dejar su trabajo; se explicaron opciones. Volverá a llamar.",
                "La hermana llama de nuevo: su hermana le mandó un audio diciendo que el patrón le quitó el teléfono una semana. Se vinculó al caso abierto.",
                "La hermana dice que a la posible víctima la podrían mover a otra ciudad este fin de semana; se informó a la persona responsable del caso.",
                "Mensaje de la hermana: 'Está bien, me llamó desde el teléfono de una amiga'.",
            ],
        }[lang]
        language = "spa" if lang == "es" else "eng"
        opened = case.created_at
        times = [
            opened - timedelta(days=rng.randint(60, 120)),
            opened + timedelta(days=2),
            opened + timedelta(days=9),
            opened + timedelta(days=15),
        ]
        for n, (at, text) in enumerate(zip(times, lines, strict=True)):
            at = min(at, self.now - timedelta(hours=3 - n * 0.5))
            channel = "sms" if n == 3 and country == "US" else ("whatsapp" if n == 3 else "phone")
            self._contact(
                started_at=at,
                reason="general_info" if n == 0 else "tip",
                signaler="family_friend",
                language=language,
                channel=channel,
                summary_text=text,
                place=place,
                phone=(raw if n != 1 else known, known),
                case=None if n == 0 else case,
                level="" if n == 0 else case.level_of_indicators,
                taker=case.owner if n else None,
            )

        # The exploiter's number in three cases (each a different scenario).
        recurring_raw = RECURRING_EXPLOITER_PHONE[country]
        recurring = normalise_phone(recurring_raw, default_region=country)
        exploiter_phones = [
            i for i in identifiers if i.kind == "phone" and i.person.role == "exploiter"
        ]
        for identifier in rng.sample(exploiter_phones, 3):
            identifier.value, identifier.normalised = recurring_raw, recurring


def recurring_counts() -> dict[str, int]:
    """Phone identifiers that appear in more than one case (for tests and the banner)."""
    rows = (
        Identifier.objects.filter(kind="phone")
        .values("normalised")
        .annotate(cases=Count("case", distinct=True))
        .filter(cases__gt=1)
    )
    return {row["normalised"]: row["cases"] for row in rows}
