"""Addresses as logs and the admin show them: a mobile 13812345678 → 138****5678, anything else (a 企业微信
user id) keeps its last four characters. Bodies are never shown or logged at all.

(residents.validators.mask_phone masks numbers the same way on residents' pages; notifications may not
import residents, so the few lines are here for the addresses of outgoing messages.)
"""

import re

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_number(value: str) -> str:
    """'+86 138-1234-5678' → '13812345678': the form the outbox, the daily limit and the opt-out list use."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def mask_address(value: str) -> str:
    value = value or ""
    if MOBILE_RE.match(value):
        return f"{value[:3]}****{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]
