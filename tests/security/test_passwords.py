"""Password policy: at least 8 characters, three of four character classes, not common, not built from
the username; messages in Chinese."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from stations.models import User


def problems(password, username="xupengze"):
    try:
        validate_password(password, User(username=username, name="徐芃泽"))
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    ["Tianjin#Sws2026", "sws-demo-2026", "Guoyuan-Xincun8", "社工站Station2026"],
)
def test_good_passwords_pass(password):
    assert problems(password) == []


def test_too_short():
    messages = problems("Ab1!x")
    assert any("8" in m for m in messages)


@pytest.mark.parametrize("password", ["abcdefghij", "abcdefgh12", "ABCDEFGH12", "12345678!!"])
def test_fewer_than_three_character_classes(password):
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类。" in problems(password)


def test_common_password():
    messages = problems("P@ssw0rd")
    assert messages and any("常见" in m for m in messages)


@pytest.mark.parametrize(
    "password", ["Xupengze@2026", "2026!XuPengZe", "ezgnepux#2026A", "x-u-p-e-n-g-z-e1A"]
)
def test_derived_from_the_username(password):
    assert "密码不能包含用户名或由用户名变化而来。" in problems(password)


def test_a_short_username_does_not_forbid_everything():
    assert problems("Abc-defg-2026", username="ab") == []


@pytest.mark.parametrize("username", ["admin", "city", "dc-120113", "st-120113001-1", "auditor"])
def test_the_demo_password_passes_for_demo_accounts(username):
    assert problems("sws-demo-2026", username=username) == []
