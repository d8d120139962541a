"""Forms of opening a case and of intake (parties, consent, eligibility, workers, sharing)."""

from django import forms

from casework.models import Case, CaseConsent
from residents.fields import BoundedModelChoiceField
from residents.models import Resident
from residents.services import station_workers
from stations.locking import VersionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What a worker may name as the source of a case opened directly (a request's case is opened from it).
DIRECT_SOURCES = [choice for choice in Case.Source.choices if choice[0] != Case.Source.REQUEST]


class VersionForm(forms.Form):
    """A step on a case carries the case version the user saw."""

    version = VersionField(min_value=1)


def _workers_field(label, required):
    return BoundedModelChoiceField(
        label=label, queryset=None, required=required, empty_label="（无）" if not required else "选择社工"
    )


class WorkersMixin:
    """Lead and co-worker chosen among the station's active staff."""

    def _limit_workers(self, station_id):
        for name in ("lead_worker", "co_worker", "colleague"):
            if name in self.fields:
                self.fields[name].queryset = station_workers(station_id)


class OpenCaseForm(WorkersMixin, forms.Form):
    source = forms.ChoiceField(label="个案来源", choices=DIRECT_SOURCES)
    presenting_problem = forms.CharField(
        label="主要问题",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="服务对象面临的主要困难和需求，如实记录。",
    )
    lead_worker = _workers_field("主责社工", True)
    co_worker = _workers_field("协同社工", False)
    risk = forms.ChoiceField(label="初步风险等级", choices=Case.Risk.choices, initial=Case.Risk.LOW)
    sensitive = forms.BooleanField(
        label="敏感个案", required=False, help_text="如涉及未成年人保护、家庭暴力等，查看需敏感档案权限。"
    )

    def __init__(self, *args, station_id, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_workers(station_id)


class OpenFromRequestForm(OpenCaseForm):
    """转为个案: the source is the request itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["source"]


class PartyForm(forms.Form):
    resident = BoundedModelChoiceField(
        label="已登记居民",
        queryset=Resident.objects.none(),
        required=False,
        empty_label="（未登记，填写姓名）",
    )
    name = forms.CharField(label="姓名", max_length=50, required=False)
    relation = forms.CharField(label="与服务对象关系", max_length=30)
    is_guardian = forms.BooleanField(label="监护人", required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, residents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if residents is not None:
            self.fields["resident"].queryset = residents


class PartyEditForm(PartyForm):
    version = VersionField(min_value=1)

    @staticmethod
    def initial_for(party) -> dict:
        fields = ("resident", "name", "relation", "is_guardian", "phone", "note", "version")
        initial = {name: getattr(party, name) for name in fields}
        initial["resident"] = party.resident_id
        return initial


class ConsentForm(forms.Form):
    given_by = forms.CharField(label="同意人", max_length=50)
    relation = forms.CharField(label="与服务对象关系", max_length=30, initial="本人")
    given_on = forms.DateField(label="同意日期", widget=DATE)
    method = forms.ChoiceField(label="方式", choices=CaseConsent.Method.choices, widget=forms.RadioSelect)
    witness = forms.CharField(label="见证人", max_length=50, required=False, help_text="口头同意必填。")


class AcceptForm(VersionForm):
    eligibility_note = forms.CharField(
        label="立案评估说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(VersionForm):
    reason = forms.CharField(label="不予立案原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WorkersForm(WorkersMixin, VersionForm):
    lead_worker = _workers_field("主责社工", True)
    co_worker = _workers_field("协同社工", False)

    def __init__(self, *args, station_id, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_workers(station_id)


class ShareForm(WorkersMixin, forms.Form):
    colleague = _workers_field("同事", True)
    unshare = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, station_id, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_workers(station_id)
