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


# Words a guesser tries first here, beyond zxcvbn's dictionaries (English words, names, common
# passwords, keyboard runs, years and dates): the place and the system, and the commonest Chinese surnames
# and given-name syllables in pinyin, so that a name plus digits ("Zhangwei1988!") is recognised.
LOCAL_WORDS = (
    "tianjin sws shegong shegongzhan shequ jiedao minzheng guanliyuan admin mima woaini heping hedong "
    "hexi nankai hebei hongqiao dongli xiqing jinnan beichen wuqing baodi binhai ninghe jinghai "
    "jizhou"
)
SURNAMES = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang "
    "xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai du ye cheng su "
    "wei lu ding ren shen yao zhong jin tan qiu fang shi bai meng long wan gu fan qin kong yan lei "
    "hou xiong"
)
GIVEN_NAMES = (
    "wei fang na min jing qiang lei jun yang yong yan jie juan tao ming chao xiuying xia ping gang "
    "gui hua hong mei ying jian hui bo ning lin qing xin yu zhen hao peng fei yun long"
)


class StrengthValidator:
    """Refuse a password that is easy to guess though it meets the character rules (`Admin@123`,
    `Qwer1234!`, `Tianjin@2026`, a name plus digits): zxcvbn's estimate, given the user's own names and
    the local words above, must reach `min_score` (4: more than 10^10 guesses)."""

    def __init__(self, min_score=4):
        self.min_score = min_score

    def validate(self, password, user=None):
        from zxcvbn import zxcvbn

        inputs = f"{LOCAL_WORDS} {SURNAMES} {GIVEN_NAMES}".split()
        if user is not None:
            for attribute in ("username", "name", "email"):
                value = getattr(user, attribute, "") or ""
                inputs += [value, *re.split(r"[^0-9A-Za-z]+", value)]
        result = zxcvbn(password[:100], user_inputs=[word for word in inputs if word])
        if result["score"] < self.min_score:
            raise ValidationError(
                "密码太容易被猜到（常见单词、键盘顺序、年份、地名或姓名加数字等），"
                "请换一个更长、更难猜的密码，例如用连字符连起三四个不相关的词。",
                code="password_guessable",
            )

    def get_help_text(self):
        return "密码不能是常见单词、键盘顺序、年份、地名或姓名加数字等容易被猜到的组合。"
