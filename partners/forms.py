"""The partners' forms: field names match the keyword arguments of the services (partners.services)."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from partners.models import Partner, PartnerAnswer, ResourceUse, ShareConsent
from residents.fields import BoundedModelChoiceField
from stations.locking import VersionField


class PartnerReferForm(forms.Form):
    """转介至合作伙伴, from the request page. The partner list is what the worker may refer to (a forged
    id of another station's partner is "not a valid choice")."""

    version = VersionField(min_value=1)
    partner = BoundedModelChoiceField(label="合作伙伴", queryset=None, empty_label="选择合作伙伴")
    contact_name = forms.CharField(
        label="对接人", max_length=50, required=False, help_text="留空则用合作伙伴登记的联系人。"
    )
    contact_phone = forms.CharField(
        label="对接人手机", max_length=20, required=False, help_text="回复链接以短信发送到此号码。"
    )
    reason = forms.CharField(
        label="转介事由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="未取得居民同意前，合作伙伴只能看到事由、分类和社区：请勿在此填写姓名、电话、住址。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.visible_to(user).active().order_by("kind", "name")

    def clean(self):
        data = super().clean()
        partner = data.get("partner")
        if partner:
            data["contact_name"] = (data.get("contact_name") or "").strip() or partner.contact_name
            data["contact_phone"] = (data.get("contact_phone") or "").strip() or partner.contact_phone
            if not data["contact_name"] or not data["contact_phone"]:
                self.add_error("contact_phone", "该合作伙伴未登记联系人，请填写对接人及手机号码。")
        return data


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(
        label="同意人", choices=ShareConsent.GivenBy.choices, widget=forms.RadioSelect, initial="resident"
    )
    guardian_name = forms.CharField(label="监护人姓名", max_length=50, required=False)
    guardian_relation = forms.CharField(
        label="与本人关系", max_length=20, required=False, help_text="如：父亲、母亲、祖母"
    )
    method = forms.ChoiceField(
        label="同意方式", choices=ShareConsent.Method.choices, widget=forms.RadioSelect
    )
    witness = forms.CharField(label="见证人", max_length=50, required=False, help_text="口头同意须填写")
    scan = forms.FileField(label="签字同意书扫描件", required=False, help_text="书面同意须上传（PDF或照片）")
    fields = forms.MultipleChoiceField(
        label="同意提供的信息",
        choices=ShareConsent.Field.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label="提供目的", max_length=200, help_text="如：由合作伙伴上门安装充电设施")


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(label="撤回说明", max_length=200, required=False)


class AnswerForm(forms.Form):
    """What the partner answers through the link; the choices are those still open."""

    outcome = forms.ChoiceField(label="回复", widget=forms.RadioSelect)
    note = forms.CharField(
        label="说明（未接收请写原因，办结请写结果）",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, open_outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o, PartnerAnswer.Outcome(o).label) for o in open_outcomes]


class ResourceUseForm(forms.Form):
    partner = BoundedModelChoiceField(label="合作伙伴", queryset=None, empty_label="选择合作伙伴")
    kind = forms.ChoiceField(label="类别", choices=ResourceUse.Kind.choices)
    amount = forms.DecimalField(
        label="金额或价值（元）", required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2
    )
    hours = forms.DecimalField(
        label="时长（小时）", required=False, min_value=Decimal("0"), max_digits=8, decimal_places=1
    )
    description = forms.CharField(label="内容", max_length=200, required=False)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.visible_to(user).order_by("kind", "name")


def errors_into(form, error):
    """A service's ValidationError shown on the form: by field where it names one, else above it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def new_use_form(user):
    """An empty form to record a resource use, dated today."""
    return ResourceUseForm(user=user, initial={"date": timezone.localdate()})


class PartnerForm(forms.ModelForm):
    """A station registers its own partner (a department, a service provider …)."""

    class Meta:
        model = Partner
        fields = ["kind", "name", "contact_name", "contact_phone", "active"]
