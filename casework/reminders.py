"""The case-task reminder (个案待办到期): run daily by the scheduler (`casework.tasks`, listed in
`notifications.schedule`), callable directly.

An open task due today or earlier reaches its owner's inbox once per task and due date: the inbox rows are
keyed by both, so a second run (or the next day's, for a task still not done) tells nobody again, and a
task given a new due date is a new reminder. The text names the case's reference and station and the due
date, never the client nor the task's title (free text; it stays behind the case page's scope).
"""

from collections import defaultdict

from django.utils import timezone

from casework.models import CaseTask
from notifications import dispatch
from notifications.events import Event
from notifications.inbox import Notification
from stations.models import User

CHUNK = 500


def _target(task) -> str:
    return f"case_task:{task.pk}:{task.due_on.isoformat()}"


def _may_read(user, case) -> bool:
    """The owner still works the case (lead, co-worker, shared) or heads its station: the link opens."""
    if not user.is_active or user.station_id != case.station_id:
        return False
    if user.role == user.Role.STATION_HEAD:
        return True
    return user.pk in case.workers() or any(u.pk == user.pk for u in case.shared_with.all())


def remind_case_tasks_due(today=None) -> int:
    """Open case tasks due on or before `today` → their owner, or the station's heads when the owner can
    no longer open the case (left the station, taken off the case). Returns the tasks reminded."""
    today = today or timezone.localdate()
    tasks = (
        CaseTask.objects.open()
        .filter(due_on__lte=today)
        .select_related("owner", "case__station")
        .prefetch_related("case__shared_with")
        .order_by("pk")
    )
    done = 0
    last = 0
    while True:
        chunk = list(tasks.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return done
        last = chunk[-1].pk
        keys = {f"{Event.CASE_TASK_DUE}:{_target(t)}": t for t in chunk}
        notified = set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))
        pending = [t for key, t in keys.items() if key not in notified]
        heads = defaultdict(list)
        for head in User.objects.filter(
            is_active=True, role=User.Role.STATION_HEAD, station_id__in={t.case.station_id for t in pending}
        ).order_by("pk"):
            heads[head.station_id].append(head)
        for task in pending:
            case = task.case
            people = [task.owner] if _may_read(task.owner, case) else heads[case.station_id]
            if dispatch.notify(
                Event.CASE_TASK_DUE,
                recipients=people,
                target=_target(task),
                url=case.get_absolute_url(),
                context={
                    "reference": case.reference,
                    "station": case.station.name,
                    "due": f"{task.due_on:%-m月%-d日}",
                },
                station=case.station,
            ):
                done += 1
