"""Navigation that matches the user's role (station, district centre, municipal centre)."""

from django.urls import NoReverseMatch, reverse

from casework.permissions import is_case_supervisor
from projects.models import pending_plan_count
from stations import access

# (label, url name, needs pk of) — entries whose URL does not exist yet are skipped. Entries after MORE
# fold into a "更多" menu on a desktop (on a phone every entry is in the one menu).
MORE = "more"
STATION_NAV = [
    ("概览", "dashboards:station", "station"),
    ("队列", "residents:request-queue", None),
    ("登记", "residents:intake", None),
    ("个案", "casework:case-list", None),
    ("我的待办", "casework:my-tasks", None),
    ("居民", "residents:resident-list", None),
    ("探访", "residents:visit-due", None),
    ("项目", "projects:project-list", None),
    ("活动", "projects:activity-list", None),
    ("年度方案", "projects:plan-list", None),
    MORE,
    ("站点信息", "stations:station-detail", "station"),
    ("站间转移", "residents:transfer-inbox", None),
    ("个案转移", "casework:case-transfer-inbox", None),
    ("资源", "projects:resource-list", None),
    ("队伍与组织", "projects:group-list", None),
    ("社区基金", "projects:fund-list", None),
    ("督导记录", "casework:session-list", None),
    ("二维码海报", "public:poster-list", None),
    ("合作伙伴", "partners:partner-list", None),
    ("月报", "reports:index", None),
    ("考核评估", "evaluation:list", None),
]
# District and municipal centre staff: their overview, then the same reviewing entries.
CENTRE_NAV = [
    ("待审批方案", "projects:plan-pending", None),
    ("月报", "reports:index", None),
    ("考核评估", "evaluation:list", None),
    ("五社联动", "five_forces:index", None),
    ("重复身份证号", "residents:held-id-numbers", None),
]
DISTRICT_NAV = [
    ("概览", "dashboards:district", "district"),
    ("本区社工站", "stations:district-detail", "district"),
    # Supervision sessions; designated supervisors reach their review queue from there (no permission
    # lookup on every page).
    ("督导", "casework:session-list", None),
    ("12345工单", "hotline:unplaced", None),  # the 未能定位 queue and extensions to decide
    ("站间转移", "residents:transfer-inbox", None),  # transfers, and requests declined awaiting dispatch
    ("个案转移", "casework:case-transfer-inbox", None),  # cases' transfers of the district, both ways
    *CENTRE_NAV,
]
# A district's designated casework supervisors (督导) also read its cases.
SUPERVISOR_NAV = [("本区个案", "casework:case-list", None)]
CITY_NAV = [
    ("全市概览", "dashboards:city", None),
    ("全市各区", "stations:district-list", None),
    *CENTRE_NAV,
]
REPORTER_NAV = [
    ("我上报的", "reporting:mine", None),
    ("上报需求", "reporting:new", None),
]

EVALUATOR_NAV = [("考核评估", "evaluation:list", None)]

AUDITOR_NAV = [
    ("数据变更", "security:audit-changes", None),
    ("个人信息访问", "security:audit-access", None),
    ("登录记录", "security:audit-logins", None),
    ("居民访问历史", "security:audit-resident-lookup", None),
]


def _build(entries, user):
    items = []
    more = False
    for entry in entries:
        if entry == MORE:
            more = True
            continue
        label, name, arg = entry
        args = []
        if arg == "station":
            args = [user.station_id]
        elif arg == "district":
            args = [user.district_id]
        try:
            items.append({"label": label, "url": reverse(name, args=args), "more": more})
        except NoReverseMatch:
            continue
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_more": [], "nav_more_current": False}
    if access.is_station_user(user):
        entries = STATION_NAV
    elif access.is_district_user(user):
        entries = [*DISTRICT_NAV, *(SUPERVISOR_NAV if is_case_supervisor(user) else ())]
    elif access.sees_whole_city(user):
        entries = CITY_NAV
    elif access.is_auditor(user):
        entries = AUDITOR_NAV
    elif access.is_reporter(user):
        entries = REPORTER_NAV
    elif access.is_evaluator(user):
        entries = EVALUATOR_NAV
    else:
        entries = []
    if user.is_staff:  # district/municipal centre staff and admins keep stations and staff in Django admin
        entries = [*entries, ("数据维护", "admin:index", None)]
    items = _mark_current(_build(entries, user), request.path)
    waiting = 0
    if access.is_district_user(user) or access.sees_whole_city(user):
        waiting = pending_plan_count(user)  # cached per scope: no query
        pending_url = reverse("projects:plan-pending")
        for item in items:
            if item["url"] == pending_url:
                item["count"] = waiting
    return {
        "nav_items": items,
        "nav_waiting": waiting,
        "nav_more": [item for item in items if item["more"]],
        "nav_more_current": any(item["current"] for item in items if item["more"]),
    }


def _mark_current(items, path):
    """Flag the entry the page belongs to: the longest nav URL that the path starts with."""
    best = None
    for item in items:
        url = item["url"]
        if (path == url or (url != "/" and path.startswith(url))) and (
            best is None or len(url) > len(best["url"])
        ):
            best = item
    for item in items:
        item["current"] = item is best
    return items


def list_export_links(request):
    """A list page's export links: Excel and CSV of its current filters (_partials/_export_links.html).

    The exports are sws's (sws.list_exports); the list pages of residents and projects only show the links
    given here, so those apps name no URL of sws."""
    from sws.list_exports import LIST_PAGES

    match = getattr(request, "resolver_match", None)
    name = next((name for name, page in LIST_PAGES.items() if match and page == match.view_name), None)
    if name is None:
        return {}
    query = request.GET.urlencode()
    return {
        "list_export_links": [
            (label, f"{reverse('exports:list', args=[name, fmt])}?{query}")
            for label, fmt in (("Excel", "xlsx"), ("CSV", "csv"))
        ]
    }
