"""List filters (django-filter). Every choice list is limited to the user's scope."""

from functools import cached_property, partial

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from residents.fields import BoundedModelChoiceFilter, out_of_range
from residents.filter_choices import ListedModelChoiceFilter, category_names, names, user_names  # noqa: F401 (re-exported: callers import them from here)
from residents.models import Category, Priority, Request, Resident, VulnerabilityTag
from residents.services import station_workers
from residents.widgets import FastCheckboxInput, FastSelect, FastTextInput
from stations import access, reference
from stations.models import Community, District, Station, Street, User

ELDERLY, MINOR = "age-elderly", "age-minor"
ALL_STATUSES = "all"  # the queue's status choice 全部状态: every request, history too


def _scoped_communities(user):
    return Community.objects.visible_to(user).order_by("code")


def _scoped_workers(user):
    if access.is_station_user(user):
        return station_workers(user.station_id)
    return User.objects.visible_to(user).filter(role__in=User.STATION_ROLES).order_by("name")


def _pk(value):
    text = str(value or "").strip()
    return int(text) if text.isdecimal() and not out_of_range(text) else None


class CommunityPicker:
    """The community filter as a step picker, 区 → 街道 → 社区, for lists whose users may see thousands
    of communities (a city user: 5,618, one `<select>` that cost the residents list ~300 ms to render).

    Each step lists only what the user may see: district and municipal users first choose a district
    (city users) and a street, then one of the street's communities; a station user picks among the
    station's communities at once. It is plain GET: without JavaScript the user presses the form's
    button after each step; with it, the form submits itself when a select changes (`data-autosubmit`).

    A value out of the user's scope is "not a valid choice" (the field's error, nothing filtered). A
    lower step that no longer fits a changed higher one (another district chosen, the old street still
    in the query string) is dropped; a community given alone (a link) brings its street and district."""

    def setup_picker(self, user):
        station_user = access.is_station_user(user)
        city = access.sees_whole_city(user)
        district, street = self._resolve_picker(user) if self.is_bound and not station_user else (None, None)
        if city:
            self.filters["district"].queryset = District.objects.visible_to(user).order_by("code")
        else:
            del self.filters["district"]
        communities = _scoped_communities(user)
        if station_user:
            del self.filters["street"]
        else:
            streets = Street.objects.visible_to(user).order_by("code")
            if city:
                streets = streets.filter(district=district) if district else streets.none()
                self.filters["street"].extra["empty_label"] = "全部街道" if district else "（先选择区）"
            self.filters["street"].queryset = streets
            communities = communities.filter(street=street) if street else communities.none()
            self.filters["community"].extra["empty_label"] = "全部社区" if street else "（先选择街道）"
        self.filters["community"].queryset = communities
        self.picked_district, self.picked_street = district, street

    def _resolve_picker(self, user):
        """(district pk, street pk) as chosen, made consistent with the lower steps; fixes up
        `self.data`. One query per step given, none for an unfiltered list."""
        data = self.data.copy()
        district, street, community = (_pk(data.get(name)) for name in ("district", "street", "community"))
        if community is not None:
            found = (
                Community.objects.visible_to(user)
                .filter(pk=community)
                .values_list("street", "street__district")
                .first()
            )
            if found and street is None:
                street = found[0]
                data["street"] = str(street)
            elif found and street != found[0]:
                data.pop("community")  # the street was changed: its old community goes
        if street is not None:
            found = (
                Street.objects.visible_to(user).filter(pk=street).values_list("district", flat=True).first()
            )
            if found is None:
                street = None  # out of scope: the field says so
            elif district is None:
                district = found
                data["district"] = str(district)
            elif district != found:
                street = None  # the district was changed: its old street and community go
                data.pop("street")
                data.pop("community", None)
        self.data = data
        return district, street

    def filter_district(self, queryset, name, value):
        return queryset.filter(community__street__district=value)

    def filter_street(self, queryset, name, value):
        return queryset.filter(community__street=value)


class ResidentFilter(CommunityPicker, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="搜索",
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "姓名、电话尾号或身份证尾号（后4位）", "maxlength": 50}
        ),
    )
    district = BoundedModelChoiceFilter(
        label="区", queryset=None, empty_label="全部区", method="filter_district"
    )
    street = BoundedModelChoiceFilter(
        label="街道", queryset=None, empty_label="全部街道", method="filter_street"
    )
    community = BoundedModelChoiceFilter(label="社区", queryset=None, empty_label="全部社区")
    tag = django_filters.ChoiceFilter(label="标签", method="filter_tag", empty_label="全部标签")

    class Meta:
        model = Resident
        fields = ["q", "district", "street", "community", "tag"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_picker(user)
        # Derived age tags first (高龄, 未成年: birth-date ranges), then the recorded tags.
        self.filters["tag"].extra["choices"] = [
            (ELDERLY, "高龄（80岁及以上）"),
            (MINOR, "未成年（未满18岁）"),
            *VulnerabilityTag.objects.values_list("code", "name"),
        ]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_tag(self, queryset, name, value):
        today = timezone.localdate()
        if value == ELDERLY:
            return queryset.elderly(today)
        if value == MINOR:
            return queryset.minors(today)
        return queryset.filter(tags__code=value)


def _listed(label, empty_label, *, listing=names, **extra) -> ListedModelChoiceFilter:
    """A select of the queue's filter form whose choices come from `listing` (the reference cache) and
    whose queryset the form sets for its user."""
    return ListedModelChoiceFilter(
        label=label, queryset=None, listing=listing, empty_label=empty_label, widget=FastSelect, **extra
    )


class RequestFilter(CommunityPicker, django_filters.FilterSet):
    """The triage queue's filters. Without a status filter the queue shows open requests and resolved
    ones whose follow-up is due; choosing a status searches all of the station's requests."""

    # Widgets render in Python (residents/widgets.py) and the choice lists come from the reference cache:
    # the queue is the page opened most.
    # District and city users narrow the queue to one station (the dashboards' overdue and unassigned
    # links carry station=<pk>); choices are the stations they can see. Station staff have one station,
    # so the filter is not offered to them.
    station = _listed("社工站", "全部社工站")
    reference = django_filters.CharFilter(
        label="受理编号",
        method="filter_reference",
        widget=FastTextInput(attrs={"type": "search", "placeholder": "受理编号", "maxlength": 24}),
    )
    q = django_filters.CharFilter(
        label="搜索",
        method="filter_search",
        widget=FastTextInput(
            attrs={"type": "search", "placeholder": "姓名、电话或尾号、诉求内容", "maxlength": 50}
        ),
    )
    status = django_filters.ChoiceFilter(
        label="状态",
        choices=[(ALL_STATUSES, "全部状态（含已结案、撤回）"), *Request.Status.choices],
        method="filter_status",
        empty_label="待办（默认）",
        widget=FastSelect,
    )
    priority = django_filters.ChoiceFilter(
        label="优先级", choices=Priority.choices, empty_label="全部", widget=FastSelect
    )
    category = _listed("分类", "全部分类", listing=category_names, method="filter_category")
    # The community picker's steps (CommunityPicker).
    district = _listed("区", "全部区", method="filter_district")
    street = _listed("街道", "全部街道", method="filter_street")
    community = _listed("社区", "全部社区")
    assignee = _listed("承办社工", "全部", listing=user_names, null_label="未指派")
    channel = django_filters.ChoiceFilter(
        label="来源渠道", choices=Request.Channel.choices, empty_label="全部", widget=FastSelect
    )
    received_from = django_filters.DateFilter(
        label="受理日期从", method="filter_received", widget=FastTextInput(attrs={"type": "date"})
    )
    received_to = django_filters.DateFilter(
        label="受理日期至", method="filter_received", widget=FastTextInput(attrs={"type": "date"})
    )
    overdue = django_filters.BooleanFilter(
        label="已超期",
        method="filter_overdue",
        widget=FastCheckboxInput,
    )
    follow_up_due = django_filters.BooleanFilter(
        label="待回访", method="filter_follow_up_due", widget=FastCheckboxInput
    )

    class Meta:
        model = Request
        fields = [
            "station",
            "q",
            "reference",
            "status",
            "priority",
            "category",
            "district",
            "street",
            "community",
            "assignee",
            "channel",
            "received_from",
            "received_to",
            "overdue",
            "follow_up_due",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if access.is_station_user(user):
            del self.filters["station"]
        else:
            self.filters["station"].queryset = Station.objects.visible_to(user).order_by("code")
        self.setup_picker(user)
        self.filters["assignee"].queryset = _scoped_workers(user)
        self.filters["category"].queryset = Category.objects.order_by(
            "parent__order", "parent_id", "order", "name"
        )
        # The option lists come from the reference cache (stations/reference.py), all in one lookup; a
        # submitted value is still looked up in the filter's (scoped) queryset.
        # Lists that depend on a choice (a district's streets, a street's communities) are cached under
        # that choice. The rows name their communities from the scope's list ("community_names").
        self._user = user
        self._list_names = {}
        self._list_builders = {}
        if "street" in self.filters:
            self._list_builders["community_names"] = partial(names, _scoped_communities(user))
        else:  # a station user's community select lists them all already: one list, one query
            self._list_names["community_names"] = "community"
        for name, filter_ in self.filters.items():
            if isinstance(filter_, ListedModelChoiceFilter):
                list_name = self._list_name(name)
                self._list_names[name] = list_name
                self._list_builders[list_name] = partial(filter_.extra["listing"], filter_.queryset)
                filter_.extra["listing"] = partial(self._cached_list, list_name)

    @cached_property
    def reference_key(self) -> str:
        """Names the option lists (stations/reference.py): the same for every user of the scope until one
        of the lists changes."""
        return reference.key(self._user)

    @cached_property
    def _reference_lists(self) -> dict:
        return reference.lists(self.reference_key, self._list_builders)

    def _list_name(self, name) -> str:
        if name == "street":
            return f"street:{self.picked_district or '-'}" if "district" in self.filters else name
        if name == "community" and "street" in self.filters:
            return f"community:{self.picked_street or '-'}"
        return name

    def _cached_list(self, list_name, queryset) -> list:
        return self._reference_lists[list_name]

    def choices(self, name) -> list:
        """What the model choice filter `name` offers, (pk, label) pairs read once for its select and for
        the page (the queue's rows take their category names from here, and for a station user its
        workers, whom the quick action 指派 offers too); "community_names": every community of the
        scope, which name the rows' communities."""
        return self._reference_lists[self._list_names.get(name, name)]

    @property
    def qs(self):
        # Unbound (no query string): the default queue, without validating a form of empty fields.
        return super().qs if self.is_bound else self.queryset.queue()

    def filter_queryset(self, queryset):
        if not (self.form.cleaned_data.get("status") or self.form.cleaned_data.get("reference")):
            queryset = queryset.queue()
        return super().filter_queryset(queryset)

    def filter_reference(self, queryset, name, value):
        # A reference number is at most 24 characters: a longer term finds nothing more.
        return queryset.filter(reference__icontains=value.strip()[:24])

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_received(self, queryset, name, value):
        if name == "received_from":
            return queryset.received_between(first=value)
        return queryset.received_between(last=value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category=value) | Q(category__parent=value))

    def filter_overdue(self, queryset, name, value):
        # An unchecked box means "no filter", not "only requests on time".
        return queryset.overdue() if value else queryset

    def filter_follow_up_due(self, queryset, name, value):
        return queryset.follow_up_due() if value else queryset
