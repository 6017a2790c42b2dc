"""How dates and times read on the English line (U.S. usage): "Nov. 30, 2026, 2:05 p.m."
in prose, "11/30/2026 2:05 p.m." in tables. One format per language, everywhere:
templates name these (|date:"SHORT_DATETIME_FORMAT"), never a pattern of their own.
"""

DATE_FORMAT = "N j, Y"
TIME_FORMAT = "P"
DATETIME_FORMAT = "N j, Y, P"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y P"
FIRST_DAY_OF_WEEK = 0  # Sunday, as U.S. calendars start

# The first input format is also how a widget without its own format writes a value
# back into the page. Date and datetime-local inputs send and expect ISO whatever the
# browser's locale, so ISO comes first; typed U.S. dates are still understood.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-30 (<input type="date">)
    "%m/%d/%Y",  # 11/30/2026
    "%m/%d/%y",  # 11/30/26
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # 2026-11-30T14:05 (<input type="datetime-local">)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
