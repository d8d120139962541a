"""Forms for the resident registry, intake and the case workflow.

Every choice field (community, resident, assignee) is limited to the user's scope, so a forged value is
refused by the form like any other invalid choice. Normalisation happens in clean_<field>.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from residents.fields import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from residents.forms_workflow import (  # noqa: F401 (re-exported: callers import them from here)
    AssignForm,
    FollowUpForm,
    NoteForm,
    ReferForm,
    ReferralOutcomeForm,
    RejectForm,
    ReopenForm,
    ResolveForm,
    StartForm,
    TriageForm,
    VersionForm,
    WithdrawForm,
)
from residents.models import Category, Request, Resident, Severity, Urgency, VulnerabilityTag
from residents.services import check_id_number
from residents.validators import (
    id_birth_date,
    id_gender,
    mask_id_number,
    normalise_id_number,
    validate_id_number,
    validate_phone,
)
from stations.locking import VersionedFormMixin, VersionField
from stations.models import Community

INTAKE_CHANNELS = [c for c in Request.Channel.choices if c[0] != Request.Channel.QR]


def station_communities(user):
    """The communities a station user may file residents and requests under."""
    return Community.objects.editable_by(user).select_related("street").order_by("code")


def clean_id_number_value(form, value, *, exclude_pk=None, purpose=""):
    """Validate, normalise and check the number against the city-wide registry without disclosing a
    registration outside the user's scope (`services.check_id_number`): such a number sets
    `form.hold_id_number`, and the resident is registered with it held for the district centre."""
    value = validate_id_number(value)
    form.hold_id_number = check_id_number(
        acting_user=form.user,
        id_number=value,
        http_request=form.http_request,
        exclude_pk=exclude_pk,
        purpose=purpose,
    )
    return value


class ResidentForm(VersionedFormMixin, forms.ModelForm):
    version = VersionField(min_value=1, required=False)
    # Not a model field: the number is stored encrypted (Resident.id_number is a property).
    id_number = forms.CharField(
        label="身份证号",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
        help_text="18位，末位X不区分大小写；填写后出生日期和性别自动取自身份证号。",
    )
    # A birth date that was set is blanked only on purpose: a browser that could not read the value sends
    # the date input back empty, and the birth date (with the minor flag it gives) would silently go.
    clear_birth_date = forms.BooleanField(label="清除出生日期", required=False)
    RESIDENT_FIELDS = ("name", "gender", "id_number", "birth_date", "phone", "community", "address", "notes")
    field_order = [*RESIDENT_FIELDS[:-1], "tags", "notes"]

    class Meta:
        model = Resident
        fields = ["name", "gender", "birth_date", "phone", "community", "address", "tags", "notes"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
            "tags": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "gender": forms.RadioSelect,
        }
        field_classes = {"community": BoundedModelChoiceField, "tags": BoundedModelMultipleChoiceField}

    def __init__(self, *args, user, http_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.http_request = http_request
        self.hold_id_number = False
        self.fields["community"].queryset = station_communities(user)
        self.fields["tags"].queryset = VulnerabilityTag.objects.all()
        self.fields["gender"].choices = Resident.Gender.choices
        self.fields["gender"].required = False
        if self.instance.pk:
            self.fields["version"].required = True
            # Never send a stored ID number back to the browser: the field starts empty.
            self.initial["id_number"] = ""
            if self.instance.id_number:
                masked = mask_id_number(self.instance.id_number)
                self.fields[
                    "id_number"
                ].help_text = f"已登记：{masked}。留空则保持不变；如需更正请输入完整号码。"
                # The birth date is the masked part of the number: not sent back beside it either.
                # Left empty, it stays the one the number gives (see clean()).
                self.initial["birth_date"] = None
                self.fields["birth_date"].help_text = "已由身份证号确定，不在此显示；留空则保持不变。"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("请填写姓名。")
        return name

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value:
            return self.instance.id_number if self.instance.pk else None
        if self.instance.pk and normalise_id_number(value) == self.instance.id_number:
            return self.instance.id_number  # the number already on the record: nothing to check
        purpose = "修改居民" if self.instance.pk else "登记居民"
        return clean_id_number_value(self, value, exclude_pk=self.instance.pk, purpose=purpose)

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        return validate_phone(value) if value else ""

    def clean(self):
        data = super().clean()
        id_number = data.get("id_number")
        blanked = (
            self.instance.pk
            and self.instance.birth_date
            and not id_number
            and "birth_date" not in self.errors
            and not data.get("birth_date")
        )
        if blanked and not data.get("clear_birth_date"):
            self.add_error("birth_date", "出生日期不能留空；如需清除出生日期，请勾选“清除出生日期”。")
        if id_number:
            born, gender = id_birth_date(id_number), id_gender(id_number)
            if data.get("birth_date") and data["birth_date"] != born:
                self.add_error("birth_date", "出生日期与身份证号不一致。")
            if data.get("gender") and data["gender"] != gender:
                self.add_error("gender", "性别与身份证号不一致。")
            data["birth_date"], data["gender"] = born, gender
        return data

    def resident_fields(self):
        data = self.cleaned_data
        return {name: data.get(name) for name in self.RESIDENT_FIELDS} | {
            "gender": data.get("gender") or "",
            "phone": data.get("phone") or "",
            "hold_id_number": self.hold_id_number,
        }

    def add_error_from(self, error: ValidationError):
        """A service's refusal (e.g. the ID number registered a moment ago) next to its field."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class ResidentLookupForm(forms.Form):
    """Find a resident by the whole ID number: posted, never in a URL."""

    id_number = forms.CharField(
        label="完整身份证号",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18, "inputmode": "text"}),
    )

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])


class ResidentRevealForm(forms.Form):
    reason = forms.CharField(
        label="查看原因",
        max_length=200,
        help_text="例如：办理低保申请需核对身份证号。查看记录会被保存。",
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise ValidationError("请填写查看原因。")
        return reason


class CategorySelect(forms.Select):
    """Categories grouped by their first level; each option carries its default 轻重缓急 so that
    static/js/intake.js can pre-fill them (no inline script)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        defaults = self.defaults.get(str(value))
        if defaults:
            option["attrs"]["data-severity"], option["attrs"]["data-urgency"] = defaults
        return option


class CategoryField(BoundedModelChoiceField):
    widget = CategorySelect

    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.selectable(), empty_label="请选择分类", **kwargs)

    def prepare_widget(self):
        """Group the options by first-level category, in one query."""
        groups, defaults = {}, {}
        for category in self.queryset:
            group = category.parent.name if category.parent_id else category.name
            groups.setdefault(group, []).append((category.pk, category.name))
            defaults[str(category.pk)] = (category.default_severity, category.default_urgency)
        self.widget.choices = [("", self.empty_label), *groups.items()]
        self.widget.defaults = defaults


class IntakeForm(forms.Form):
    """One fast form for walk-ins, phone calls, home visits, the community committee and 12345."""

    MODE_EXISTING, MODE_NEW, MODE_REPORTER = "existing", "new", "reporter"
    MODE_CHOICES = [
        (MODE_EXISTING, "已登记居民"),
        (MODE_NEW, "新登记居民"),
        (MODE_REPORTER, "仅留反映人姓名电话"),
    ]

    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    mode = forms.ChoiceField(label="诉求人", choices=MODE_CHOICES, widget=forms.RadioSelect)
    resident = BoundedModelChoiceField(
        label="居民", queryset=Resident.objects.none(), required=False, widget=forms.HiddenInput
    )
    new_name = forms.CharField(label="姓名", max_length=50, required=False)
    new_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    new_id_number = forms.CharField(
        label="身份证号（可选）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_address = forms.CharField(label="住址（可选）", max_length=200, required=False)
    reporter_name = forms.CharField(label="反映人姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(
        label="反映人电话", max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    community = BoundedModelChoiceField(
        label="社区", queryset=Community.objects.none(), required=False, empty_label="（居民所在社区）"
    )
    channel = forms.ChoiceField(label="来源渠道", choices=INTAKE_CHANNELS)
    category = CategoryField(label="诉求分类")
    description = forms.CharField(label="诉求内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    sms_updates = forms.BooleanField(
        label="居民同意短信告知受理编号和办结结果",
        required=False,
        help_text="发送到居民或反映人的手机号；短信只含受理编号和查询地址。",
    )
    severity = forms.ChoiceField(label="轻重", choices=Severity.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(label="缓急", choices=Urgency.choices, widget=forms.RadioSelect)

    def __init__(self, *args, user, http_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.http_request = http_request
        self.hold_id_number = False
        self.fields["resident"].queryset = Resident.objects.editable_by(user).select_related(
            "community__street"
        )
        self.fields["community"].queryset = station_communities(user)
        self.fields["category"].prepare_widget()
        self.fields["category"].widget.attrs["data-prefill-priority"] = "1"
        self.initial.setdefault("submission_token", uuid.uuid4().hex)
        self.initial.setdefault("mode", self.MODE_EXISTING)
        self.initial.setdefault("channel", Request.Channel.WALK_IN)

    def clean_submission_token(self):
        token = self.cleaned_data["submission_token"].strip()
        if not token.isalnum():
            raise ValidationError("表单已失效，请刷新页面后重新填写。")
        return token

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError("请填写诉求内容。")
        return text

    def clean_new_phone(self):
        value = self.cleaned_data["new_phone"].strip()
        return validate_phone(value) if value else ""

    def clean_reporter_phone(self):
        value = self.cleaned_data["reporter_phone"].strip()
        return validate_phone(value) if value else ""

    def clean_new_id_number(self):
        value = self.cleaned_data["new_id_number"].strip()
        return clean_id_number_value(self, value, purpose="登记诉求时登记居民") if value else ""

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.MODE_EXISTING and not data.get("resident") and "resident" not in self.errors:
            self.add_error("resident", "请先搜索并选择居民，或改为“新登记居民”“仅留反映人姓名电话”。")
        if mode == self.MODE_NEW and not " ".join(data.get("new_name", "").split()):
            self.add_error("new_name", "请填写新居民的姓名。")
        if mode == self.MODE_REPORTER and not (data.get("reporter_name") or data.get("reporter_phone")):
            self.add_error("reporter_name", "请至少填写反映人姓名或电话。")
        if not data.get("community"):
            resident = data.get("resident") if mode == self.MODE_EXISTING else None
            if resident is not None:
                data["community"] = resident.community
            elif "community" not in self.errors:
                self.add_error("community", "请选择社区。")
        return data

    def new_resident_fields(self):
        data = self.cleaned_data
        if data["mode"] != self.MODE_NEW:
            return None
        fields = {
            "name": " ".join(data["new_name"].split()),
            "phone": data["new_phone"],
            "address": data["new_address"].strip(),
            "community": data["community"],
        }
        if data["new_id_number"]:
            fields |= {
                "hold_id_number": self.hold_id_number,
                "id_number": data["new_id_number"],
                "birth_date": id_birth_date(data["new_id_number"]),
                "gender": id_gender(data["new_id_number"]),
            }
        return fields

    def request_fields(self):
        data = self.cleaned_data
        mode = data["mode"]
        return {
            "community": data["community"],
            "resident": data["resident"] if mode == self.MODE_EXISTING else None,
            "reporter_name": data["reporter_name"].strip() if mode == self.MODE_REPORTER else "",
            "reporter_phone": data["reporter_phone"] if mode == self.MODE_REPORTER else "",
            "channel": data["channel"],
            "category": data["category"],
            "description": data["description"],
            "severity": data["severity"],
            "urgency": data["urgency"],
            "submission_token": data["submission_token"],
            "sms_updates": data["sms_updates"],
        }
