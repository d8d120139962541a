"""The reporters' form (上报需求): 居委会 staff and volunteer reporters report a resident's need."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from residents.fields import BoundedModelChoiceField
from residents.models import Category
from residents.validators import validate_id_number, validate_phone

DESCRIPTION_MAX = 1000


class ReportForm(forms.Form):
    community = BoundedModelChoiceField(
        label="社区",
        queryset=None,
        empty_label="请选择社区",
        error_messages={"required": "请选择社区。", "invalid_choice": "只能选择本站服务的社区。"},
    )
    category = BoundedModelChoiceField(
        label="需求类别",
        queryset=Category.objects.none(),
        empty_label="请选择类别",
        error_messages={"required": "请选择需求类别。", "invalid_choice": "请选择列表中的类别。"},
    )
    description = forms.CharField(
        label="需求内容",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "居民遇到的困难、地点和时间"}),
        error_messages={"required": "请填写需求内容。", "max_length": f"内容请不要超过{DESCRIPTION_MAX}字。"},
    )
    resident_name = forms.CharField(
        label="居民姓名（选填）",
        max_length=50,
        required=False,
        error_messages={"max_length": "姓名请不要超过50字。"},
    )
    resident_phone = forms.CharField(
        label="联系电话（选填）",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        error_messages={"max_length": "电话号码格式不正确。"},
    )
    id_number = forms.CharField(
        label="身份证号（选填）",
        max_length=30,
        required=False,
        help_text="仅用于关联本社区已登记的居民，不会显示在“我上报的”中。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": "身份证号格式不正确。"},
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        field.queryset = communities.order_by("code")
        if len(field.queryset) == 1:
            # 居委会 staff report for their own community: fixed, shown but not chosen.
            field.initial = field.queryset[0].pk
            field.empty_label = None
        self.fields["category"].queryset = Category.objects.filter(
            parent__isnull=True, is_active=True
        ).order_by("order", "name")

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if len(value) < 2:
            raise ValidationError("请简要说明居民的需求。")
        return value

    def clean_resident_name(self):
        return " ".join(self.cleaned_data["resident_name"].split())

    def clean_resident_phone(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["resident_phone"]).strip()
        return validate_phone(value) if value else ""

    def clean_id_number(self):
        value = unicodedata.normalize("NFKC", self.cleaned_data["id_number"]).strip().upper()
        return validate_id_number(value) if value else ""
