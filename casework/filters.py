"""The case list's filters (stage, risk, worker, station), shared with the case register export. The
choices are narrowed to what the user may see; the rows are `Case.objects.visible_to(user)`'s."""

import django_filters
from django.db.models import Q

from casework.models import Case
from residents.fields import BoundedFilterModelChoiceField
from residents.services import station_workers
from stations import access
from stations.models import Station, User

OPEN = "open"
ENDED = "ended"


class BoundedChoiceFilter(django_filters.ModelChoiceFilter):
    """A forged id no column can hold is an invalid choice, not a server error."""

    field_class = BoundedFilterModelChoiceField


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="编号或姓名", max_length=50)
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label="在办/结束",
        choices=[(OPEN, "在办"), (ENDED, "已结案或不予立案")],
        empty_label="全部",
    )
    stage = django_filters.ChoiceFilter(choices=Case.Stage.choices, label="阶段", empty_label="全部阶段")
    risk = django_filters.ChoiceFilter(choices=Case.Risk.choices, label="风险等级", empty_label="全部")
    worker = BoundedChoiceFilter(
        method="filter_worker", queryset=User.objects.none(), label="社工", empty_label="全部社工"
    )
    station = BoundedChoiceFilter(queryset=Station.objects.none(), label="社工站", empty_label="全部社工站")

    class Meta:
        model = Case
        fields = ["q", "state", "stage", "risk", "worker", "station"]

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.user = user
        if access.is_station_user(user):
            del self.filters["station"]
            self.filters["worker"].queryset = station_workers(user.station_id)
        else:
            # A district's supervisors: its stations; a worker filter over a whole district would be long.
            self.filters["station"].queryset = Station.objects.visible_to(user).order_by("code")
            del self.filters["worker"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(client__name__contains=value))

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.exclude(stage__in=Case.ENDED_STAGES)
        if value == ENDED:
            return queryset.filter(stage__in=Case.ENDED_STAGES)
        return queryset

    def filter_worker(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(lead_worker=value) | Q(co_worker=value))
