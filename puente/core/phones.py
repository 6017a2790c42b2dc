"""Phone numbers: stored in E.164 (HTCDS convention), typed in any format.

Normalising before storing is what makes caller-ID matching and network links
work: "(713) 555-0142", "713.555.0142" and "+1 713 555 0142" must be one number.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhoneNumber(
            _("“%(value)s” has the wrong number of digits for a phone number."),
            code="impossible",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str, *, default_region: str) -> str | None:
    """Like normalise_phone, but None for anything that is not a phone number: for search
    boxes, where a query may or may not be a number."""
    try:
        return normalise_phone(raw, default_region=default_region)
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """An E.164 number in the international format advocates read aloud."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
