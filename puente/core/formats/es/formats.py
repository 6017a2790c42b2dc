"""How dates and times read on the Spanish line (Mexican usage): day first and a
24-hour clock, "30/11/2026 14:05" in tables, "30 de noviembre de 2026, 14:05" in prose.
The browser's es-MX and a plain "es" both land here (LANGUAGES has one Spanish).
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # lunes (ISO 8601, as Django's es_MX)

# ISO first: date and datetime-local inputs exchange ISO text in every locale, and a
# widget without its own format writes its value back with the first of these (with
# "%d/%m/%Y" first a Spanish page would hand the browser a date it cannot show).
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-30 (<input type="date">)
    "%d/%m/%Y",  # 30/11/2026
    "%d/%m/%y",  # 30/11/26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # 2026-11-30T14:05 (<input type="datetime-local">)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DECIMAL_SEPARATOR = "."  # Mexico writes 1,234.56, unlike Spain
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
