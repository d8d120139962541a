"""身份证号 and phone validation, derivation and masking."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from residents.validators import (
    id_birth_date,
    id_check_char,
    id_gender,
    mask_id_number,
    mask_phone,
    phone_tail,
    validate_id_number,
    validate_phone,
)

VALID = "11010519491231002X"  # the textbook GB 11643 example: check character X


def test_check_char_of_the_standard_example():
    assert id_check_char(VALID[:17]) == "X"


def test_valid_id_number_passes():
    assert validate_id_number(VALID) == VALID


def test_lower_case_x_is_upper_cased():
    assert validate_id_number(VALID.lower()) == VALID


def test_spaces_and_full_width_digits_are_normalised():
    assert validate_id_number(" 110105 19491231 002x ") == VALID
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == VALID


def test_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_id_number(VALID[:17] + "1")
    assert error.value.code == "id_check"
    assert "校验位" in error.value.messages[0]


@pytest.mark.parametrize("born", ["19490230", "19491301", "20230229", "19490000"])
def test_impossible_birth_date_is_refused(born):
    first17 = f"120113{born}123"
    with pytest.raises(ValidationError) as error:
        validate_id_number(first17 + id_check_char(first17))
    assert error.value.code == "id_date"


def test_future_birth_date_is_refused():
    first17 = "12011321990101123"
    with pytest.raises(ValidationError) as error:
        validate_id_number(first17 + id_check_char(first17), today=datetime.date(2026, 1, 1))
    assert error.value.code == "id_date"


@pytest.mark.parametrize(
    "value, code",
    [
        ("12011319800101123", "id_length"),  # 17 characters
        ("1201131980010112345", "id_length"),  # 19
        ("12011319800101A234", "id_format"),
        ("01011319800101123X", "id_format"),  # cannot start with 0
        ("99011319800101123X", "id_region"),  # no such province
    ],
)
def test_malformed_id_numbers_are_refused(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


def test_birth_date_and_gender_are_derived():
    assert id_birth_date(VALID) == datetime.date(1949, 12, 31)
    assert id_gender(VALID) == "F"  # 17th digit 2: even
    first17 = "12011319800101123"
    assert id_gender(first17 + id_check_char(first17)) == "M"  # 3: odd


@pytest.mark.parametrize(
    "raw, normalised",
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("022-26391234", "022-26391234"),
        ("02226391234", "022-26391234"),
        ("26391234", "26391234"),
        ("010-62345678-801", "010-62345678-801"),
    ],
)
def test_valid_phones_are_normalised(raw, normalised):
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc", "022-1234", "110"])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValidationError) as error:
        validate_phone(raw)
    assert "电话号码格式不正确" in error.value.messages[0]


def test_masking():
    assert mask_id_number("120113198001011234") == "120113********1234"
    assert mask_id_number(None) == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("022-26391234") == "022-****1234"
    assert mask_phone("") == ""


def test_phone_tail():
    assert phone_tail("022-26391234") == "1234"
    assert phone_tail("13812345678") == "5678"
    assert phone_tail("") == ""
