"""Casework steps: each a function taking the acting user, one transaction, checking the user itself
(`require_case_worker`, the supervisors' own rule), refusing with `CaseworkError` (a Chinese message).
Callers import `from casework import services`."""

from casework.services.common import (  # noqa: F401
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)

# Supervision and case conferences (cwsuper)
from casework.services.conferences import hold_case_conference  # noqa: E402, F401
from casework.services.supervision import (  # noqa: E402, F401
    add_supervision_note,
    complete_action_item,
    may_complete_action_item,
    record_supervision_session,
    require_case_supervisor,
    review_queue,
)
