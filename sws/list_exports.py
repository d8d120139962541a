"""Exports of the lists: requests, residents (masked), projects, activities and resources mobilised.

`/exports/<list>.csv?…` and `/exports/<list>.xlsx?…` take the same query parameters as the list page and
run the list's own FilterSet over `Model.objects.visible_to(user)`, so a download holds exactly the rows
the user sees on the page (all pages of it), never more. A filter value the form refuses (an unknown
status, a date that is no date, a station outside the user's scope) stops the export: back to the list
with the message "筛选条件有误，未导出：…", never the whole scope. The list pages link here with their current
query string, e.g. `{% url 'exports:list' 'requests' 'csv' %}?{{ request.GET.urlencode }}`.

Rows are read with `.iterator(chunk_size=…)`: the CSV streams, and prefetches (tags, communities) run
once per chunk of rows rather than once per row. The requests export needs no prefetch at all: whether a
request's resident carries a sensitive tag comes as an annotation, so it is one query however many rows.
Personal data is masked exactly as in the lists (ID number and phone; no birth date or address in a list
export); minors' and sensitive residents are exported as the pages list them to the user (name masked
without the extra permission).
"""

from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from projects.filters import ActivityFilter, ProjectFilter, ResourceFilter
from projects.models import Activity, Project, Resource
from residents import permissions
from residents.filters import RequestFilter, ResidentFilter
from residents.filters_care import VisitFilter
from residents.models import Request, Resident, Visit
from residents.validators import ID_IN_URL_REFUSED, contains_id_number
from stations.audit import record_access
from sws import exports
from sws.db_router import replica_reads

CHUNK = 2000
INVALID_FILTER = "筛选条件有误，未导出：{errors}。请修正筛选条件后再导出。"


class InvalidFilter(Exception):
    """A filter value the list's form refuses: the export stops rather than drop the filter (django-filter
    leaves an invalid field out of the query, which would export the whole scope)."""

    def __init__(self, form):
        super().__init__(form.errors)
        self.form = form

    @property
    def message(self) -> str:
        errors = "；".join(
            f"{self.form.fields[name].label if name in self.form.fields else name}：{''.join(messages_)}"
            for name, messages_ in self.form.errors.items()
        )
        return INVALID_FILTER.format(errors=errors)


def _filtered(filterset):
    """The filterset's rows, or InvalidFilter when a submitted value is invalid."""
    if filterset.is_bound and not filterset.form.is_valid():
        raise InvalidFilter(filterset.form)
    return filterset.qs


@dataclass(frozen=True)
class Field:
    header: str
    get: Any  # callable(obj) -> value
    width: int = 14
    number_format: str | None = None


def _display(name):
    return lambda obj: getattr(obj, f"get_{name}_display")()


def _names(manager_name):
    # Prefetched many-to-many (communities, tags, target groups): joined with 、 as people write lists.
    return lambda obj: "、".join(str(item) for item in getattr(obj, manager_name).all())


REQUEST_FIELDS = [
    Field("受理编号", lambda r: r.reference, 22),
    Field("社工站", lambda r: r.station.name, 28),
    Field("社区", lambda r: r.community.short_name, 16),
    Field("居民", lambda r: r.resident.name if r.resident_id else "", 10),
    Field("反映人", lambda r: r.reporter_name, 10),
    Field("反映人电话", lambda r: r.masked_reporter_phone, 14),
    Field("来源渠道", _display("channel"), 10),
    Field("诉求分类", lambda r: str(r.category), 22),
    Field("诉求内容", lambda r: r.description, 40),
    Field("轻重", _display("severity"), 6),
    Field("缓急", _display("urgency"), 6),
    Field("优先级", _display("priority"), 8),
    Field("状态", _display("status"), 12),
    Field("承办社工", lambda r: r.assignee.get_full_name() if r.assignee_id else "", 10),
    Field("受理时间", lambda r: r.received_at, 17),
    Field("办理期限", lambda r: r.due_at, 17),
    Field("超期", lambda r: r.is_overdue, 6),
    Field("解决时间", lambda r: r.resolved_at, 17),
    Field("结案时间", lambda r: r.closed_at, 17),
    Field("满意度", lambda r: r.get_satisfaction_display() if r.satisfaction else "", 10),
]

RESIDENT_FIELDS = [
    Field("姓名", lambda r: r.name, 10),
    Field("性别", lambda r: r.get_gender_display() if r.gender else "", 6),
    Field("年龄", lambda r: r.age(), 6),
    Field("身份证号", lambda r: r.masked_id_number, 20),
    Field("联系电话", lambda r: r.masked_phone, 14),
    Field("社区", lambda r: r.community.short_name, 16),
    Field("困难标签", lambda r: "、".join(r.tag_names()), 24),
    Field("风险等级", lambda r: _tier(r), 8),
    Field("登记时间", lambda r: r.created_at, 17),
]

VISIT_FIELDS = [
    Field("探访日期", lambda v: v.visited_on, 12),
    Field("居民", lambda v: v.resident.name, 10),
    Field("社区", lambda v: v.resident.community.short_name, 16),
    Field("风险等级", lambda v: _tier(v.resident), 8),
    Field("方式", _display("form"), 10),
    Field("结果", _display("outcome"), 14),
    Field("探访人", lambda v: v.visitor.get_full_name(), 10),
    Field("代访志愿者", lambda v: v.volunteer_name, 10),
    Field("应探访日期", lambda v: v.due_on, 12),
    Field("按时", lambda v: v.on_time, 6),
    Field("身体状况", lambda v: v.health, 20),
    Field("居住条件", lambda v: v.living_conditions, 20),
    Field("安全隐患", lambda v: v.safety_hazards, 20),
    Field("精神状态", lambda v: v.get_mood_display() if v.mood else "", 8),
    Field("发现需求", lambda v: v.need_found, 24),
    Field("生成诉求", lambda v: v.request.reference if v.request_id else "", 22),
]


def _tier(resident):
    """The resident's risk tier (select_related `visit_plan`); none outside the visit programme."""
    plan = getattr(resident, "visit_plan", None)  # a missing one-to-one raises an AttributeError
    return plan.get_tier_display() if plan is not None else ""


PROJECT_FIELDS = [
    Field("项目名称", lambda p: p.title, 30),
    Field("社工站", lambda p: p.station.name, 28),
    Field("主题", _display("theme"), 10),
    Field("服务对象", _names("target_groups"), 20),
    Field("负责人", lambda p: p.lead.get_full_name() if p.lead_id else "", 10),
    Field("开始日期", lambda p: p.start_date, 12),
    Field("结束日期", lambda p: p.end_date, 12),
    Field("状态", _display("status"), 8),
    Field("预算（元）", lambda p: p.budget, 14, "#,##0.00"),
    Field("资金来源", _display("funding_source"), 10),
    Field("特色项目", lambda p: p.is_featured, 8),
]

ACTIVITY_FIELDS = [
    Field("日期", lambda a: a.date, 12),
    Field("活动名称", lambda a: a.title, 30),
    Field("社工站", lambda a: a.station.name, 28),
    Field("服务方法", _display("method"), 8),
    Field("所属项目", lambda a: a.project.title if a.project_id else "", 24),
    Field("服务社区", _names("communities"), 24),
    Field("场次", lambda a: a.sessions, 8, "#,##0"),
    Field("服务人次", lambda a: a.person_times, 10, "#,##0"),
    Field("参与志愿者（人）", lambda a: a.volunteers, 10, "#,##0"),
]

RESOURCE_FIELDS = [
    Field("日期", lambda r: r.date, 12),
    Field("社工站", lambda r: r.station.name, 28),
    Field("链接单位", lambda r: r.partner.name, 24),
    Field("单位类型", lambda r: r.partner.get_kind_display(), 12),
    Field("形式", _display("kind"), 8),
    Field("金额或估值（元）", lambda r: r.amount, 16, "#,##0.00"),
    Field("内容", lambda r: r.description, 24),
    Field("用于项目", lambda r: r.project.title if r.project_id else "", 24),
]


def _requests(request):
    queryset = (
        Request.objects.visible_to(request.user)
        .with_queue_columns()
        .select_related("station")
        .order_by("priority", "due_at", "pk")
    )
    requests = _filtered(RequestFilter(request.GET, queryset=queryset, user=request.user))
    # Who took which residents' data out (and that requests were exported at all: a reporter's name and
    # phone are personal data too): the residents' ids copied by one INSERT … SELECT.
    exported = Resident.objects.filter(pk__in=requests.order_by().values("resident_id"))
    record_access(request, "export", residents=exported)
    # The tags' only use here is the sensitive flag: annotated, not prefetched once per chunk of rows.
    return requests.prefetch_related(None).with_resident_sensitive_tag()


def _residents(request):
    queryset = (
        Resident.objects.visible_to(request.user)
        .with_list_columns()
        .select_related("visit_plan")
        .order_by("community", "name", "pk")
    )
    residents = _filtered(ResidentFilter(request.GET or None, queryset=queryset, user=request.user))
    record_access(request, "export", residents=residents)  # who took which residents' data out
    return residents


def _visits(request):
    queryset = (
        Visit.objects.visible_to(request.user)
        .select_related("resident__community", "resident__visit_plan", "visitor", "request")
        .prefetch_related("resident__tags")
        .order_by("-visited_on", "-pk")
    )
    visits = _filtered(VisitFilter(request.GET, queryset=queryset, user=request.user))
    exported = Resident.objects.filter(pk__in=visits.order_by().values("resident_id"))
    record_access(request, "export", residents=exported)  # who took which residents' visit records out
    return visits


def _projects(request):
    queryset = Project.objects.visible_to(request.user).with_list_columns().order_by("-start_date", "pk")
    return _filtered(ProjectFilter(request.GET, queryset=queryset, user=request.user))


def _activities(request):
    queryset = (
        Activity.objects.visible_to(request.user)
        .with_list_columns()
        .select_related("station")
        .order_by("-date", "-pk")
    )
    return _filtered(ActivityFilter(request.GET, queryset=queryset, user=request.user))


def _resources(request):
    queryset = (
        Resource.objects.visible_to(request.user)
        .with_list_columns()
        .select_related("station")
        .order_by("-date", "-pk")
    )
    return _filtered(ResourceFilter(request.GET, queryset=queryset, user=request.user))


LISTS = {
    # slug: (file name, sheet title, rows, fields)
    "requests": ("诉求", "诉求", _requests, REQUEST_FIELDS),
    "residents": ("居民", "居民", _residents, RESIDENT_FIELDS),
    "visits": ("探访记录", "探访记录", _visits, VISIT_FIELDS),
    "projects": ("服务项目", "服务项目", _projects, PROJECT_FIELDS),
    "activities": ("服务活动", "服务活动", _activities, ACTIVITY_FIELDS),
    "resources": ("链接资源", "链接资源", _resources, RESOURCE_FIELDS),
}
LIST_PAGES = {  # where each export's list is, to go back to with a refused filter
    "requests": "residents:request-queue",
    "residents": "residents:resident-list",
    "visits": "residents:visit-due",
    "projects": "projects:project-list",
    "activities": "projects:activity-list",
    "resources": "projects:resource-list",
}


def _sensitive_masked(user, name, fields):
    """Minors' and sensitive residents (residents.permissions) exported as the pages list them to a user
    without the extra permission: the name masked (张**), phone and ID number left out."""
    if name not in ("requests", "residents", "visits") or permissions.can_open_sensitive(user):
        return fields

    def sensitive(obj):  # the one rule, Resident.sensitive
        if name == "visits":
            return obj.resident.is_sensitive
        return obj.is_sensitive if name == "residents" else obj.resident_is_sensitive

    def guarded(field):
        def get(obj):
            if not sensitive(obj):
                return field.get(obj)
            resident = obj if name == "residents" else obj.resident
            return resident.masked_name if field.header in ("姓名", "居民") else ""  # the rest left out

        return replace(field, get=get)

    guarded_headers = {
        "residents": {"姓名", "身份证号", "联系电话"},
        "visits": {"居民", "身体状况", "居住条件", "安全隐患", "精神状态", "发现需求"},
    }.get(name, {"居民"})
    return [guarded(field) if field.header in guarded_headers else field for field in fields]


@replica_reads
@never_cache
@require_safe
@login_required
def list_export(request, name, fmt):
    if name not in LISTS:
        raise Http404
    if name == "residents" and contains_id_number(request.GET.get("q")):
        # An ID number never travels in a URL: not searched, not exported, dropped from the address.
        messages.error(request, ID_IN_URL_REFUSED)
        return redirect("residents:resident-list")
    label, title, rows_for, fields = LISTS[name]
    fields = _sensitive_masked(request.user, name, fields)
    try:
        queryset = rows_for(request)
    except InvalidFilter as invalid:
        # Never the whole scope for a filter that did not apply: back to the list, which shows the error.
        messages.error(request, invalid.message)
        return redirect(f"{reverse(LIST_PAGES[name])}?{request.GET.urlencode()}")
    filename = f"{label}-{timezone.localdate():%Y%m%d}.{fmt}"
    headers = [field.header for field in fields]

    def rows():
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield [field.get(obj) for field in fields]

    if fmt == "csv":
        return exports.csv_response(filename, headers, rows())
    count = queryset.count()
    if count > exports.XLSX_MAX_ROWS:
        return exports.too_large_response(request, count)
    sheet = exports.Sheet(
        title=title,
        headers=headers,
        rows=rows(),
        widths=[field.width for field in fields],
        formats=[field.number_format for field in fields],
    )
    return exports.xlsx_response(filename, [sheet])
