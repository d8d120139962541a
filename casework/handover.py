"""A leaving worker's open cases (as lead or co-worker) and open case tasks, handed to a colleague with
the rest of her work (residents.handover runs the parts in one transaction). Closed and declined cases
and done tasks stay as they were. Each case's timeline says so (社工变更 / 待办); the new worker reads the
case from then on through the case's own confidentiality rule (lead, co-worker, head, supervisor)."""

import copy

from casework.models import Case, CaseEvent, CaseTask
from residents import auditing
from residents.handover import HandoverPart, register_part
from stations import locking


def _open_cases(station_id):
    return Case.objects.filter(station_id=station_id).exclude(stage__in=Case.ENDED_STAGES)


def _event(case, kind, actor, text, **data):
    CaseEvent.objects.create(case=case, kind=kind, actor=actor, text=text, data=data)


def _save(obj, actor, **changes):
    before = copy.copy(obj)
    locking.update_versioned(obj, obj.version, **changes)
    auditing.log_update(obj, before, actor=actor)


def _lead_held(user_id, station_id):
    return _open_cases(station_id).filter(lead_worker_id=user_id)


def _hand_over_lead(acting_user, leaving, to_user, cases):
    for case in cases:
        changes = {"lead_worker": to_user}
        if case.co_worker_id == to_user.pk:
            changes["co_worker"] = None  # the colleague leads it now; nobody is both
        _save(case, acting_user, **changes)
        _event(
            case,
            CaseEvent.Kind.WORKERS,
            acting_user,
            f"离任移交：主责社工改为{to_user}（原：{leaving}）",
            lead_worker=to_user.pk,
            previous=leaving.pk,
        )


def _co_held(user_id, station_id):
    return _open_cases(station_id).filter(co_worker_id=user_id)


def _hand_over_co(acting_user, leaving, to_user, cases):
    for case in cases:
        case.refresh_from_db(fields=["lead_worker", "co_worker", "version"])
        new_co = None if case.lead_worker_id == to_user.pk else to_user
        _save(case, acting_user, co_worker=new_co)
        _event(
            case,
            CaseEvent.Kind.WORKERS,
            acting_user,
            f"离任移交：协同社工{'改为' + str(to_user) if new_co else '撤销'}（原：{leaving}）",
            co_worker=new_co.pk if new_co else None,
            previous=leaving.pk,
        )


def _tasks_held(user_id, station_id):
    return CaseTask.objects.open().filter(owner_id=user_id, case__station_id=station_id)


def _hand_over_tasks(acting_user, leaving, to_user, tasks):
    for task in tasks:
        _save(task, acting_user, owner=to_user)
        _event(
            task.case,
            CaseEvent.Kind.TASK,
            acting_user,
            f"离任移交：待办“{task.title}”改由{to_user}负责（原：{leaving}）",
            task=task.pk,
        )


def register():
    register_part(HandoverPart("case_lead", "主责个案", _lead_held, _hand_over_lead))
    register_part(HandoverPart("case_co", "协同个案", _co_held, _hand_over_co))
    register_part(HandoverPart("case_tasks", "个案待办", _tasks_held, _hand_over_tasks))
