"""The partners' forms: field names match the keyword arguments of the services (partners.services)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Partner, PartnerAnswer, ResourceUse, ShareConsent
from residents.fields import BoundedModelChoiceField
from stations.locking import VersionField
from stations.web import PreloadedChoiceField, errors_into


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

    def referral(self) -> dict:
        """The valid form as the referring services' keyword arguments (partner, contact and reason)."""
        return {
            name: self.cleaned_data[name] for name in ("partner", "contact_name", "contact_phone", "reason")
        }


class CaseReferForm(PartnerReferForm):
    """转介至合作伙伴, from the case page: a referral changes nothing of the case, so no version to check."""

    version = None


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

    def clean(self):
        """The model's rules (money needs an amount, hours their hours …) next to the fields."""
        data = super().clean()
        if self.errors:
            return data
        use = ResourceUse(
            kind=data.get("kind"),
            amount=data.get("amount") or Decimal("0"),
            hours=data.get("hours") or Decimal("0"),
            description=(data.get("description") or "").strip(),
        )
        try:
            use.clean()
        except ValidationError as error:
            errors_into(self, error)
        return data


class ResourceUseRowForm(ResourceUseForm):
    """One row of the resources a case service record used: dated the record's day; a row left blank
    is no row (the kind starts empty so that an untouched row has not changed). The partners are read
    once for all the rows (`BaseUseRows`), not per row."""

    partner = PreloadedChoiceField(label="合作伙伴", required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "选择类别"), *ResourceUse.Kind.choices])

    def __init__(self, *args, partners, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)  # not ResourceUseForm's: no queryset per row
        del self.fields["date"]
        self.fields["partner"].set_objects(partners, empty_label="选择合作伙伴")

    def clean(self):
        if not self.cleaned_data.get("partner") and "partner" not in self.errors:
            self.add_error("partner", "请选择合作伙伴。")
        return super().clean()


class BaseUseRows(forms.BaseFormSet):
    def __init__(self, *args, user, **kwargs):
        self.partners = list(Partner.objects.visible_to(user).only("pk", "name").order_by("kind", "name"))
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"partners": self.partners}

    def is_valid(self):
        return not self.is_bound or super().is_valid()

    def rows(self) -> list[dict]:
        """The filled rows' data (the keyword arguments of partners.services.record_use)."""
        if not self.is_bound:
            return []
        return [row.cleaned_data for row in self.forms if row.has_changed() and row.cleaned_data]


ResourceUseFormSet = forms.formset_factory(
    ResourceUseRowForm, formset=BaseUseRows, extra=2, max_num=10, validate_max=True
)


def use_rows(user, data=None, prefix="uses"):
    """The formset of resource-use rows of a form that records work (a case's service record)."""
    if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
        data = None  # a post without the rows (a page from before they existed) records no uses
    return ResourceUseFormSet(data, prefix=prefix, user=user)


def new_use_form(user, day=None):
    """An empty form to record a resource use, dated `day` (today by default)."""
    return ResourceUseForm(user=user, initial={"date": day or timezone.localdate()})


class PartnerForm(forms.ModelForm):
    """A station registers its own partner (a department, a service provider …)."""

    class Meta:
        model = Partner
        fields = ["kind", "name", "contact_name", "contact_phone", "active"]
