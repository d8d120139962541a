"""Password rules beyond Django's (length, common passwords, similarity to the user's attributes):
three of the four character classes, and nothing built from the username."""

import re

from django.core.exceptions import ValidationError


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    CLASSES = (
        ("大写字母", re.compile(r"[A-Z]")),
        ("小写字母", re.compile(r"[a-z]")),
        ("数字", re.compile(r"[0-9]")),
        ("符号", re.compile(r"[^A-Za-z0-9]")),
    )

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for _, pattern in self.CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少%(min)d类。",
                code="password_too_simple",
                params={"min": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"


def _letters_and_digits(text):
    return re.sub(r"[^0-9a-z]", "", (text or "").lower())


class NotDerivedFromUsernameValidator:
    """Refuse a password that contains the username (or its reverse), ignoring case and symbols.

    Django's UserAttributeSimilarityValidator compares whole strings; `Xupengze@2026!` is far enough
    from `xupengze` for it, but it is the username with a suffix.
    """

    MIN_USERNAME_LENGTH = 3  # shorter usernames would forbid too much

    def validate(self, password, user=None):
        username = _letters_and_digits(getattr(user, "username", "") if user is not None else "")
        if len(username) < self.MIN_USERNAME_LENGTH:
            return
        cleaned = _letters_and_digits(password)
        if username in cleaned or username[::-1] in cleaned:
            raise ValidationError("密码不能包含用户名或由用户名变化而来。", code="password_from_username")

    def get_help_text(self):
        return "密码不能包含用户名。"
