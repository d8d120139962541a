"""What every casework step shares: its error, the confidentiality check of the acting user, the stage move
with its timeline event, and the optimistic-lock check."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.models import Case, CaseEvent
from stations import access, locking


class CaseworkError(ValidationError):
    """A step the case's current state does not allow, or bad input for it (a Chinese message)."""


def require_case_worker(user, case: Case) -> None:
    """The station's own work on a case it may read: its workers, colleagues shared with, its head
    (the confidentiality rule, `Case.objects.editable_by`). Anyone else: PermissionDenied."""
    if not (access.works_at(user, case) and Case.objects.editable_by(user).filter(pk=case.pk).exists()):
        raise PermissionDenied
    if not access.may_open(user, case):
        raise PermissionDenied


def check_version(version, current) -> None:
    try:
        locking.check(version, current)
    except locking.StaleVersionError as error:
        raise CaseworkError(locking.STALE_MESSAGE, code="stale") from error


def record_event(case: Case, kind: str, actor, text: str = "", *, from_stage="", to_stage="", **data):
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, text=text, from_stage=from_stage, to_stage=to_stage, data=data
    )


def move_stage(case: Case, to_stage: str, actor, kind: str, text: str = "", **data) -> CaseEvent:
    """Move the case to `to_stage` if its transitions allow it (else CaseworkError), bump its version and
    write the timeline event. The caller holds the transaction and has checked the user and version."""
    if not case.can_move_to(to_stage):
        raise CaseworkError(
            f"个案当前处于“{case.get_stage_display()}”阶段，不能转入“{Case.Stage(to_stage).label}”。",
            code="transition",
        )
    from_stage = case.stage
    case.stage = to_stage
    case.stage_since = timezone.now()
    case.version += 1
    case.save(update_fields=["stage", "stage_since", "version"])
    return record_event(case, kind, actor, text, from_stage=from_stage, to_stage=to_stage, **data)
