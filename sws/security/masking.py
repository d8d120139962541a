"""Masking of 身份证号 and mobile numbers in free text (log lines, audit diffs).

Pages and exports mask through `residents.validators.mask_id_number`/`mask_phone`; this module finds the
numbers inside arbitrary text, where nobody said which part is a number.
"""

import re

# 18-character ID numbers: 17 digits and a digit or X. Not part of a longer run of digits, so that
# 12-digit division codes, reference numbers and timestamps stay readable.
ID_NUMBER_RE = re.compile(r"(?<![0-9])([1-9][0-9]{5})([0-9]{8})([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally written 138-1234-5678 / 138 1234 5678 / +86 138….
MOBILE_RE = re.compile(r"(?<![0-9])(1[3-9][0-9])([- ]?)([0-9]{4})([- ]?)([0-9]{4})(?![0-9])")


def mask_personal_data(text: str) -> str:
    """120113198001011234 → 120113********1234; 13812345678 → 138****5678."""
    if not text:
        return text
    text = ID_NUMBER_RE.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)[-4:]}", text)
    return MOBILE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(4)}{m.group(5)}", text)


def mask_audit_value(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: a masked field's old and new value in the change log.

    ID numbers and mobiles keep the same visible parts as on pages; anything else in a masked field
    (a landline, a malformed number) keeps only its last four characters.
    """
    value = "" if value is None else str(value)
    if value in ("", "None"):
        return value
    masked = mask_personal_data(value)
    if masked != value:
        return masked
    return "*" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "*" * len(value)
