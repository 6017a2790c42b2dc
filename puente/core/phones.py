"""Phone numbers: stored in E.164 (HTCDS convention), typed in any format.

Normalising before storing is what makes caller-ID matching and network links
work: "(713) 555-0142", "713.555.0142" and "+1 713 555 0142" must be one number.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from puente.core.geography import country_name

# What could be a number someone dials: digits and the usual separators, no letters.
DIALLABLE = re.compile(r"\+?[\d\s().-]{6,}")


class InvalidPhoneNumber(ValidationError):
    pass


def normalise_phone(raw: str, *, default_region: str) -> str:
    """Return `raw` as E.164, reading national formats in `default_region` (US, MX).

    Mexico dropped the mobile "1" after +52 in 2019, but handsets, WhatsApp exports and
    old records still carry "+52 1 …": we fold it so the same phone matches across
    records and across the border.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("Enter a phone number."), code="empty")
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("00"):
        text = "+" + text[2:]
    elif not text.startswith("+") and len(digits) == 13 and digits.startswith("521"):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(
            _("“%(value)s” is not a phone number."), code="unparseable", params={"value": raw}
        ) from exc
    national = str(number.national_number)
    if number.country_code == 52 and len(national) == 11 and national.startswith("1"):
        number = phonenumbers.PhoneNumber(country_code=52, national_number=int(national[1:]))
    _check_length(number, raw=raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _lengths(region: str) -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    general = metadata.general_desc if metadata else None
    lengths = general.possible_length if general else ()
    return " / ".join(str(n) for n in lengths)


def _check_length(number: phonenumbers.PhoneNumber, *, raw: str) -> None:
    """The one rule for how many digits a number needs, with the reason when it has not:
    the page, the API, case identifiers and the directory all store through here. A
    number without its area code ("555-0142") is refused too: it would be stored as a
    different, wrong number and never match the caller again."""
    result = phonenumbers.is_possible_number_with_reason(number)
    if result == phonenumbers.ValidationResult.IS_POSSIBLE:
        return
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    params = {
        "value": raw,
        "country": country_name(region) or f"+{number.country_code}",
        "digits": _lengths(region),
        "given": len(str(number.national_number)),
        "code": f"+{number.country_code}",
    }
    if result == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        message = _("“%(value)s” starts with a country code that does not exist.")
        code = "country_code"
    elif result == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        message = _(
            "“%(value)s” is missing its area code: phone numbers of %(code)s (%(country)s) "
            "have %(digits)s digits."
        )
        code = "local_only"
    elif result == phonenumbers.ValidationResult.TOO_SHORT:
        message = _(
            "“%(value)s” is too short: phone numbers of %(code)s (%(country)s) have "
            "%(digits)s digits; this one has %(given)s."
        )
        code = "too_short"
    elif result == phonenumbers.ValidationResult.TOO_LONG:
        message = _(
            "“%(value)s” is too long: phone numbers of %(code)s (%(country)s) have "
            "%(digits)s digits; this one has %(given)s."
        )
        code = "too_long"
    else:
        message = _(
            "“%(value)s” has the wrong number of digits: phone numbers of %(code)s "
            "(%(country)s) have %(digits)s digits; this one has %(given)s."
        )
        code = "impossible"
    raise InvalidPhoneNumber(message, code=code, params=params)


def try_normalise_phone(raw: str, *, default_region: str) -> str | None:
    """Like normalise_phone, but None for anything that is not a phone number: for search
    boxes, where a query may or may not be a number."""
    try:
        return normalise_phone(raw, default_region=default_region)
    except ValidationError:
        return None


def format_phone(number: str | None, *, deployment_country: str = "") -> str:
    """A stored number grouped the way people say it.

    A U.S. number on the U.S. line reads "+1 212-555-0123", a Mexican one
    "+52 55 1234 5678": the country code always shows, because a hotline takes calls
    from both sides of the border and an advocate dialling back must know which.
    Anything that is not a number we can read is shown exactly as stored.
    """
    text = (number or "").strip()
    if not text:
        return ""
    if not DIALLABLE.fullmatch(text):
        # Letters would be read as a keypad word ("ABC" → 222): an identifier such as an
        # e-mail, a plate or a handle is shown as written.
        return text
    try:
        parsed = phonenumbers.parse(text, deployment_country or None)
    except phonenumbers.NumberParseException:
        return text
    # Stored numbers are E.164 ("+…"); anything else must be a whole, valid number of
    # the hotline's country before we dare regroup it (a plate's digits are not).
    plausible = (
        phonenumbers.is_possible_number(parsed)
        if text.startswith("+")
        else phonenumbers.is_valid_number(parsed)
    )
    if not plausible:
        return text
    # phonenumbers' international format already groups each country's digits as that
    # country writes them (dashes in the U.S., pairs and fours in Mexico).
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
