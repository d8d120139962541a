"""身份证号 and phone numbers: normalise, validate, derive, mask.

Personal data is shown masked everywhere by default; `mask_id_number` and `mask_phone` are the only
way pages, lists, exports and the admin render it.
"""

import datetime
import re

from django.core.exceptions import ValidationError

# GB 11643-1999: 17 digits weighted, sum mod 11 picks the check character.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[1-9]\d{16}[\dX]$")
# Province-level codes (GB/T 2260), the first two digits of every ID number.
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)

MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# Landline: optional area code (010, 022, 0755 …), 7–8 digit number, optional extension.
LANDLINE_PATTERN = re.compile(r"^(0\d{2,3}-)?[2-9]\d{6,7}(-\d{1,6})?$")

_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ－", "0123456789XX-")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


# Spaces and dashes people type between the groups of an ID number (120104-19591102-0485, full-width
# －, the em and en dashes a phone keyboard offers, the middle dot, slashes).
ID_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―－·・/／_.]+")


def normalise_id_number(value: str) -> str:
    """Strip spaces and separators, full-width characters and a lower-case x."""
    return ID_SEPARATORS.sub("", (value or "").translate(_FULLWIDTH)).upper()


def id_birth_date(id_number: str) -> datetime.date:
    """The birth date encoded in positions 7–14 (raises ValueError when it is not a real date)."""
    return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_gender(id_number: str) -> str:
    """'M' or 'F': the 17th digit is odd for men, even for women."""
    return "M" if int(id_number[16]) % 2 else "F"


def validate_id_number(value: str, today: datetime.date | None = None) -> str:
    """Return the normalised 18-character ID number, or raise ValidationError in Chinese."""
    value = normalise_id_number(value)
    if len(value) != 18:
        raise ValidationError("身份证号应为18位。", code="id_length")
    if not ID_PATTERN.match(value):
        raise ValidationError("身份证号格式不正确：前17位应为数字，最后一位为数字或X。", code="id_format")
    if int(value[:2]) not in PROVINCE_CODES:
        raise ValidationError("身份证号前两位不是有效的省级行政区划代码。", code="id_region")
    try:
        born = id_birth_date(value)
    except ValueError:
        raise ValidationError("身份证号中的出生日期不存在。", code="id_date") from None
    today = today or datetime.date.today()
    if born > today or born.year < 1900:
        raise ValidationError("身份证号中的出生日期不合理。", code="id_date")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入。", code="id_check")
    return value


def normalise_phone(value: str) -> str:
    value = (value or "").translate(_FULLWIDTH).strip()
    value = re.sub(r"[\s()（）]", "", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    digits = value.replace("-", "")
    if MOBILE_PATTERN.match(digits):
        return digits
    return value


def validate_phone(value: str) -> str:
    """Return the normalised phone number (mobile or landline), or raise ValidationError."""
    value = normalise_phone(value)
    if MOBILE_PATTERN.match(value) or LANDLINE_PATTERN.match(value):
        return value
    # A landline written without the dash after the area code: 02226391234.
    match = re.match(r"^(0(?:10|2\d))([2-9]\d{7})$", value)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    raise ValidationError(
        "电话号码格式不正确：请输入11位手机号（如13812345678）或固定电话（如022-26391234）。",
        code="phone",
    )


def phone_tail(value: str) -> str:
    """The last four digits, for an indexed search that never needs the whole number."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-4:] if len(digits) >= 4 else ""


def mask_id_number(value: str | None) -> str:
    """120113198001011234 → 120113********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; landlines keep the area code and the last four digits."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * (len(value) - 2) + value[-2:] if len(value) > 2 else "*" * len(value)
    if "-" in value[:5]:
        area, rest = value.split("-", 1)
        return f"{area}-{'*' * (len(rest) - 4)}{rest[-4:]}"
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_name(value: str | None) -> str:
    """张桂兰 → 张**, 欧阳明 → 欧**: the surname's first character stays, so a list still reads."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


# A whole ID number (18 characters, or the old 15-digit kind) somewhere in a text.
ID_NUMBER_IN_TEXT = re.compile(r"\d{14}(?:\d{2})?[\dX]")


def contains_id_number(text: str | None) -> bool:
    """Does a search term hold a whole ID number (searches travel in URLs, ID numbers never do)?"""
    return bool(ID_NUMBER_IN_TEXT.search(normalise_id_number(text or "")))


# What a user is told when a whole ID number was typed where it would travel in a URL (a list's search,
# an export of that list): the term is dropped, not searched.
ID_IN_URL_REFUSED = (
    "为保护个人信息，完整身份证号不能用于搜索框（搜索内容会出现在网址中）："
    "请输入身份证后4位，或使用“按完整身份证号查找”。"
)
