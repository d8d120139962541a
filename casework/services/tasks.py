"""Tasks (待办) on a case and its periodic review (个案检视): dated, with an owner among the people on the
case; the worker's 我的待办 and the head's overdue figure read them."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseTask
from casework.models.cases import REVIEW_INTERVAL
from casework.services.common import CaseworkError, check_version, record_event, require_case_worker
from stations import access
from stations.models import User


def case_people(case: Case):
    """Who may own a task on the case: its workers, colleagues it is shared with, its station's head."""
    on_case = User.objects.filter(is_active=True, station_id=case.station_id, role__in=User.STATION_ROLES)
    heads = on_case.filter(role=User.Role.STATION_HEAD)
    named = on_case.filter(pk__in=[*case.workers(), *case.shared_with.values_list("pk", flat=True)])
    return (heads | named).distinct().order_by("name", "pk")


def next_review_on(today=None):
    """The next case review: every REVIEW_INTERVAL while the case is open."""
    return (today or timezone.localdate()) + REVIEW_INTERVAL


def add_case_task(*, acting_user, case: Case, title: str, owner, due_on, stage: str = "") -> CaseTask:
    require_case_worker(acting_user, case)
    title = (title or "").strip()
    if not title:
        raise CaseworkError("请填写待办事项。", code="title")
    if due_on is None or due_on < timezone.localdate():
        raise CaseworkError("截止日期不能早于今天。", code="due_on")
    if stage and stage not in Case.Stage.values:
        raise CaseworkError("阶段不正确。", code="stage")
    owner_id = getattr(owner, "pk", owner)
    if not case_people(case).filter(pk=owner_id).exists():
        raise CaseworkError("负责人须为本个案的社工或本站站长。", code="owner")
    with transaction.atomic():
        stage_now = Case.objects.select_for_update().values_list("stage", flat=True).get(pk=case.pk)
        if stage_now in Case.ENDED_STAGES:
            raise CaseworkError("个案已结束，不能再添加待办。", code="ended")
        task = CaseTask.objects.create(
            case=case,
            title=title,
            owner_id=owner_id,
            due_on=due_on,
            stage=stage or stage_now,
            created_by=acting_user,
        )
        record_event(
            case, CaseEvent.Kind.TASK, acting_user, f"新增待办：{title}（{due_on}截止）", task=task.pk
        )
    return task


def complete_case_task(*, acting_user, task: CaseTask, version) -> CaseTask:
    require_case_worker(acting_user, task.case)
    with transaction.atomic():
        locked = CaseTask.objects.select_for_update().values_list("version", "done_at").get(pk=task.pk)
        check_version(version, locked[0])
        if locked[1] is not None:
            raise CaseworkError("该待办已完成。", code="done")
        task.done_at, task.done_by, task.version = timezone.now(), acting_user, locked[0] + 1
        task.save(update_fields=["done_at", "done_by", "version"])
        record_event(task.case, CaseEvent.Kind.TASK, acting_user, f"完成待办：{task.title}", task=task.pk)
    return task


def record_case_review(*, acting_user, case: Case, note: str, version) -> Case:
    """个案检视: the workers look at the open case again; the next review is due REVIEW_INTERVAL later."""
    require_case_worker(acting_user, case)
    note = (note or "").strip()
    if not note:
        raise CaseworkError("请填写检视意见。", code="note")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(version, locked.version)
        if locked.stage in Case.ENDED_STAGES:
            raise CaseworkError("个案已结束，无需检视。", code="ended")
        case.review_due_on, case.version = next_review_on(), locked.version + 1
        case.save(update_fields=["review_due_on", "version"])
        record_event(
            case, CaseEvent.Kind.NOTE, acting_user, f"个案检视：{note}", next_review=str(case.review_due_on)
        )
    return case


# --- reading -------------------------------------------------------------------------------------------


def open_tasks_of(user):
    """The user's open tasks on cases she may read, earliest due first (我的待办)."""
    return (
        CaseTask.objects.visible_to(user)
        .open()
        .filter(owner=user)
        .select_related("case", "case__client")
        .order_by("due_on", "pk")
    )


def overdue_tasks(user, today=None):
    """Overdue tasks in the user's reach: a head's whole station, a worker's own cases."""
    return CaseTask.objects.visible_to(user).overdue(today)


def reviews_due(user, within_days=7, today=None):
    """Open cases the user works (a head: her station's) whose review is due within `within_days`."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    cases = Case.objects.editable_by(user).open().filter(review_due_on__lte=horizon)
    if not access.is_station_head(user):
        cases = cases.filter(Q(lead_worker=user) | Q(co_worker=user))
    return cases.select_related("client").order_by("review_due_on", "pk")
