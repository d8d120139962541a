"""The case list's filters (stage, risk, worker, station), as the register (个案台账) applies them: every
choice list is limited to the user's scope, and a value outside it is the field's error, never ignored."""

import django_filters
from django.db.models import Q

from casework.models import Case
from stations import access
from stations.models import Station, User


class CaseFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(label="阶段", choices=Case.Stage.choices, empty_label="全部阶段")
    risk = django_filters.ChoiceFilter(label="风险等级", choices=Case.Risk.choices, empty_label="全部等级")
    worker = django_filters.ModelChoiceFilter(
        label="社工", queryset=User.objects.none(), empty_label="全部社工", method="filter_worker"
    )
    station = django_filters.ModelChoiceFilter(
        label="社工站", queryset=Station.objects.none(), empty_label="全部社工站"
    )
    open = django_filters.BooleanFilter(label="仅在办", method="filter_open")

    class Meta:
        model = Case
        fields = ["stage", "risk", "worker", "station", "open"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stations = Station.objects.visible_to(user)
        if access.is_station_user(user):
            # Station staff have one station: no choice to make.
            del self.filters["station"]
        else:
            self.filters["station"].queryset = stations.order_by("code")
        self.filters["worker"].queryset = User.objects.filter(
            station__in=stations, role__in=User.STATION_ROLES
        ).order_by("name")

    def filter_worker(self, queryset, name, value):
        return queryset.filter(Q(lead_worker=value) | Q(co_worker=value))

    def filter_open(self, queryset, name, value):
        return queryset.exclude(stage__in=Case.ENDED_STAGES) if value else queryset
