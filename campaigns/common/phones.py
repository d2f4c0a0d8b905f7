"""Phone numbers: everything is stored as E.164; logs only ever see them masked."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from campaigns.common.errors import ValidationError

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212()（）.·]")


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """Return `raw` as E.164, accepting full-width digits, spaces, dashes and 0086/+86 prefixes.

    Raises ValidationError with a reason a person can act on.
    """
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    text = _SEPARATORS.sub("", text)
    if not text:
        raise ValidationError.coded("phone.empty", "phone is empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d+", text):
        raise ValidationError.coded(
            "phone.not_digits", "phone %(text)s contains characters that are not digits", text=mask_phone(text)
        )
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError.coded(
            "phone.unreadable", "phone %(text)s cannot be read as a phone number", text=mask_phone(text)
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError.coded("phone.invalid", "phone %(text)s is not a valid number", text=mask_phone(text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """+8613800000001 -> +86138****0001: enough to tell numbers apart in a log, not enough to call one."""
    phone = str(phone or "")
    if len(phone) <= 7:
        return "*" * len(phone)
    keep_head = 6 if phone.startswith("+") else 3
    return phone[:keep_head] + "****" + phone[-4:]
