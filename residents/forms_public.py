"""Forms of the public pages residents reach by scanning a community's QR code (no login).

Everything a stranger can type is bounded and normalised here; every message is in Chinese because the
page is for residents, whatever language their browser asks for.
"""

import hmac
import re
import secrets
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from residents.fields import BoundedModelChoiceField
from residents.models import Category
from residents.validators import phone_tail, validate_phone

DESCRIPTION_MAX = 1000
NAME_MAX = 50
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Only these: anything more elaborate in a reference number is a typo or a probe. The separators are
# optional (120113001202600036 as read out over the phone), and the number may lose its leading zeros.
REFERENCE_PATTERN = re.compile(r"^(\d{9})-?(\d{4})-?(\d{1,7})$")
REFERENCE_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·/]+")

CONSENT_LABEL = "我已阅读并同意《个人信息告知》"
HONEYPOT_FIELD = "website"
SMS_UPDATES_LABEL = "同意通过短信接收受理编号和办结通知（需填写手机号）"


def new_submission_token() -> str:
    """One per rendered form: submitting the same form twice finds the first request."""
    return secrets.token_urlsafe(24)


def _clean_text(value: str) -> str:
    """The resident's text as written (Chinese punctuation and full-width forms kept: NFKC would turn
    "，" into ","), with control and format characters dropped and the ends trimmed. Only what must
    match something is normalised: the phone (`validate_phone`) and the reference (`clean_reference`)."""
    value = "".join(ch for ch in value or "" if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return value.strip()


def _required(label):
    return {"required": f"请填写{label}。"}


class PublicRequestForm(forms.Form):
    """A resident's request from the community QR page: the need, a broad category, a name and phone."""

    category = BoundedModelChoiceField(
        label="诉求类别",
        queryset=Category.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择诉求类别。", "invalid_choice": "请选择列表中的诉求类别。"},
    )
    description = forms.CharField(
        label="需要什么帮助",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "请简要说明遇到的困难、地点和时间"}),
        error_messages={
            **_required("需要帮助的内容"),
            "max_length": f"内容请不要超过{DESCRIPTION_MAX}字。",
        },
    )
    reporter_name = forms.CharField(
        label="您的称呼",
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "如：张阿姨"}),
        error_messages={**_required("您的称呼"), "max_length": f"称呼请不要超过{NAME_MAX}字。"},
    )
    reporter_phone = forms.CharField(
        label="联系电话",
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={**_required("联系电话"), "max_length": "电话号码格式不正确。"},
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": "请先阅读并勾选同意《个人信息告知》。"},
    )
    sms_updates = forms.BooleanField(
        label=SMS_UPDATES_LABEL,
        required=False,
        help_text="短信只含受理编号和查询地址，不含诉求内容。",
    )
    # Honeypot: hidden from people by CSS, left empty by them; bots fill every field they find.
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": "页面已过期，请刷新后重新提交。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Broad (top-level) categories only: a resident picks 生活照料, the worker refines it.
        self.fields["category"].queryset = Category.objects.filter(
            parent__isnull=True, is_active=True
        ).order_by("order", "name")

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean_description(self):
        value = _clean_text(self.cleaned_data["description"])
        if len(value) < 2:
            raise ValidationError("请简要说明需要什么帮助。")
        return value

    def clean_reporter_name(self):
        value = _clean_text(self.cleaned_data["reporter_name"]).replace("\n", " ")
        if not value:
            raise ValidationError("请填写您的称呼。")
        return value

    def clean_reporter_phone(self):
        return validate_phone(unicodedata.normalize("NFKC", _clean_text(self.cleaned_data["reporter_phone"])))

    def clean_token(self):
        value = self.cleaned_data["token"]
        if not TOKEN_PATTERN.match(value):
            raise ValidationError("页面已过期，请刷新后重新提交。")
        return value


class StatusLookupForm(forms.Form):
    """Reference number plus the last four digits of the phone left with the request."""

    reference = forms.CharField(
        label="受理编号",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "如：120113001-2026-00042", "autocomplete": "off"}),
        error_messages={**_required("受理编号"), "max_length": "受理编号格式不正确。"},
    )
    phone_tail = forms.CharField(
        label="联系电话后四位",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "4"}),
        error_messages={**_required("联系电话后四位"), "max_length": "请输入联系电话的后四位数字。"},
    )

    code = forms.CharField(
        label="查询码",
        required=False,
        max_length=20,
        help_text="社工登记的诉求请填写社工告知的6位查询码；扫码提交的可不填。",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "maxlength": "8"}
        ),
        error_messages={"max_length": "查询码为6位字母和数字。"},
    )

    def clean_code(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["code"])
        value = re.sub(r"[\s\-_.·]+", "", value).upper()
        if value and not re.fullmatch(r"[0-9A-Z]{6}", value):
            raise ValidationError("查询码为6位字母和数字。")
        return value

    def clean_reference(self):
        """120113001-2026-00042, however it was typed: with or without dashes or spaces, full-width."""
        value = unicodedata.normalize("NFKC", self.cleaned_data["reference"]).strip()
        match = REFERENCE_PATTERN.match(REFERENCE_SEPARATORS.sub("-", value))
        if not match and value.isascii():
            match = REFERENCE_PATTERN.match(REFERENCE_SEPARATORS.sub("", value))
        if not match:
            raise ValidationError("受理编号格式不正确，应类似 120113001-2026-00042。")
        station, year, number = match.groups()
        return f"{station}-{year}-{int(number):05d}"

    def clean_phone_tail(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["phone_tail"]).strip()
        if not re.fullmatch(r"\d{4}", value):
            raise ValidationError("请输入联系电话的后四位数字。")
        return value


def phone_matches_tail(phones, tail: str) -> bool:
    """Whether any of the phones on record ends in `tail` (compared without leaking which)."""
    matched = False
    for phone in phones:
        recorded = phone_tail(phone)
        if recorded and hmac.compare_digest(recorded, tail):
            matched = True
    return matched
