"""Reading a case whole: the printable case file (个案档案) and the case register (个案台账).

Read-only helpers, named for what they return. The views check scope (`get_visible_or_404`, the case
querysets' confidentiality rule) and log the read; these only gather, in a fixed number of queries
whatever the length of the case.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce

from casework.models import (
    Case,
    CaseEvent,
    CaseTask,
    Goal,
    ServiceRecord,
    SupervisionSession,
)
from residents.models import Resident

# The stages of the file, in the order of the casework process (MZ/T 094-2017): each a section.
FILE_SECTIONS = [
    ("intake", "一、接案"),
    ("consent", "二、知情同意"),
    ("assessment", "三、预估"),
    ("plan", "四、服务计划"),
    ("services", "五、介入（服务记录）"),
    ("evaluation", "六、评估"),
    ("closure", "七、结案"),
    ("supervision", "八、督导"),
    ("conferences", "九、个案会议"),
    ("tasks", "十、待办"),
    ("attachments", "十一、附件清单"),
]


def case_file(case: Case) -> dict:
    """Everything the case file prints, stage by stage, each list read once (about a dozen queries)."""
    goals = Goal.objects.order_by("pk")
    return {
        "parties": list(case.parties.select_related("resident").order_by("pk")),
        "consents": list(case.consents.select_related("recorded_by").order_by("given_on", "pk")),
        # All versions: a submitted assessment stays readable after a reassessment.
        "assessments": list(
            case.assessments.select_related("author").prefetch_related("domains").order_by("number")
        ),
        "plans": list(
            case.plans.select_related("author", "reviewed_by")
            .prefetch_related(Prefetch("goals", queryset=goals), "interventions")
            .order_by("number")
        ),
        "service_records": list(
            case.service_records.select_related("worker")
            .prefetch_related("goals", "resources")
            .order_by("date", "pk")
        ),
        "evaluations": list(
            case.evaluations.select_related("author")
            .prefetch_related("attainments__goal")
            .order_by("created_at", "pk")
        ),
        "closures": list(
            case.closures.select_related("requested_by", "head_approved_by", "signed_off_by").order_by(
                "requested_at", "pk"
            )
        ),
        "supervision_notes": list(
            case.events.filter(kind=CaseEvent.Kind.SUPERVISION).select_related("actor").order_by("at", "pk")
        ),
        "supervision_sessions": list(
            SupervisionSession.objects.filter(cases=case).select_related("supervisor").order_by("date", "pk")
        ),
        "conferences": list(
            case.conferences.select_related("recorded_by")
            .prefetch_related("staff", Prefetch("tasks", queryset=CaseTask.objects.select_related("owner")))
            .order_by("date", "pk")
        ),
        "tasks": list(case.tasks.select_related("owner", "done_by").order_by("due_on", "pk")),
        "stage_moves": list(case.events.exclude(to_stage="").select_related("actor").order_by("at", "pk")),
        "sections": FILE_SECTIONS,
    }


# --- the register (个案台账) ------------------------------------------------------------------------
def register_queryset(queryset):
    """The register's rows over a scoped case queryset: names, counts of service and sensitivity as
    columns, so the export is one query per chunk of rows, never one per case."""
    services = ServiceRecord.objects.filter(case=OuterRef("pk")).order_by().values("case")
    sensitive_tag = Resident.tags.through.objects.filter(
        resident=OuterRef("client"), vulnerabilitytag__sensitive=True
    )
    return (
        queryset.select_related("station", "client__community", "lead_worker", "co_worker", "request")
        .annotate(
            service_count=Coalesce(Subquery(services.annotate(n=Count("pk")).values("n")[:1]), 0),
            service_person_times=Coalesce(
                Subquery(services.annotate(n=Sum("person_times")).values("n")[:1]), 0
            ),
            client_sensitive_tag=Exists(sensitive_tag),
        )
        .order_by("station__code", "-opened_at", "-pk")
    )


def client_is_sensitive(case: Case) -> bool:
    """The masking rule (`Resident.sensitive`) with the case's own flag: a minor, a sensitive tag (the
    register's annotation, not a query per row) or a case marked sensitive."""
    return case.sensitive or case.client.sensitive(getattr(case, "client_sensitive_tag", None))


@dataclass(frozen=True)
class Column:
    header: str
    get: Any  # callable(case) -> value
    width: int = 14
    number_format: str | None = None
    personal: bool = False  # masked (name) or left out (the rest) for a sensitive case one may not open


REGISTER_COLUMNS = [
    Column("个案编号", lambda c: c.reference, 20),
    Column("社工站", lambda c: c.station.name, 26),
    Column("服务对象", lambda c: c.client.name, 10, personal=True),
    Column("性别", lambda c: c.client.get_gender_display() if c.client.gender else "", 6),
    Column("年龄", lambda c: c.client.age(), 6),
    Column("社区", lambda c: c.client.community.short_name, 16),
    Column("来源", lambda c: c.get_source_display(), 12),
    Column("来源诉求", lambda c: c.request.reference if c.request_id else "", 20),
    Column("主要问题", lambda c: c.presenting_problem, 40, personal=True),
    Column("阶段", lambda c: c.get_stage_display(), 10),
    Column("风险等级", lambda c: c.get_risk_display(), 8),
    Column("敏感个案", lambda c: c.sensitive, 8),
    Column("主责社工", lambda c: c.lead_worker.get_full_name(), 10),
    Column("协同社工", lambda c: c.co_worker.get_full_name() if c.co_worker_id else "", 10),
    Column("接案时间", lambda c: c.opened_at, 17),
    Column("立案时间", lambda c: c.accepted_at, 17),
    Column("结案时间", lambda c: c.closed_at, 17),
    Column("下次个案检视", lambda c: c.review_due_on, 12),
    Column("服务次数", lambda c: c.service_count, 8, "#,##0"),
    Column("服务人次", lambda c: c.service_person_times, 8, "#,##0"),
]


def register_row(case: Case, columns, may_open_sensitive: bool) -> list:
    """One case's row: a sensitive case's client is listed as the pages list it (张**, the problem left
    out) to someone without the sensitive-records permission."""
    masked = not may_open_sensitive and client_is_sensitive(case)
    row = []
    for column in columns:
        if masked and column.personal:
            row.append(case.client.masked_name if column.header == "服务对象" else "")
        else:
            row.append(column.get(case))
    return row
