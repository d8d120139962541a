"""Casework steps: each a function taking the acting user, one transaction, checking the user itself
(`require_case_worker`, the supervisors' own rule), refusing with `CaseworkError` (a Chinese message).
Callers import `from casework import services`."""

from casework.services.assessment import (  # noqa: F401, E402
    LOCKED_MESSAGE,
    save_assessment,
    start_assessment,
    submit_assessment,
)
from casework.services.common import (  # noqa: F401
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)

# cwopen: opening a case, intake, eligibility, workers; assessment; the plan.
from casework.services.intake import (  # noqa: F401, E402
    accept_case,
    add_case_party,
    change_case_workers,
    decline_case,
    lock_case,
    may_change_workers,
    next_case_reference,
    open_case,
    open_case_from_request,
    record_consent,
    remove_case_party,
    share_case,
    unshare_case,
    update_case_party,
)
from casework.services.planning import (  # noqa: F401, E402
    approve_case_plan,
    may_review_case_plan,
    return_case_plan,
    save_case_plan,
    start_case_plan,
    submit_case_plan,
)

# isort: split
# cwclose: closure, evaluation, service records, tasks and reviews.
from casework.services.closure import (  # noqa: F401
    approve_closure,
    may_sign_off,
    pending_closure,
    record_closure_follow_up,
    reopen_case,
    request_closure,
    return_closure,
    sign_off_closure,
)
from casework.services.evaluation import current_plan, evaluate_case, resume_intervention  # noqa: F401
from casework.services.service_records import (  # noqa: F401
    add_record_use,
    case_goals,
    record_service,
    remove_record_use,
)
from casework.services.tasks import (  # noqa: F401
    add_case_task,
    case_people,
    complete_case_task,
    next_review_on,
    open_tasks_of,
    overdue_tasks,
    record_case_review,
    reviews_due,
)

# isort: split
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

# isort: split
# cwfile: reading a case whole (the case file and the register)
# casereferral: a case's client referred to a partner (partners' referral, consent and answer link).
from casework.services.referrals import refer_case_to_partner  # noqa: F401, E402
from casework.services.register import (  # noqa: F401, E402
    REGISTER_COLUMNS,
    case_file,
    client_is_sensitive,
    register_queryset,
    register_row,
)

# transfers2: a case's transfer to another station.
from casework.services.transfers import (  # noqa: F401, E402
    accept_case_transfer,
    cancel_case_transfer,
    decline_case_transfer,
    open_work_left,
    pending_case_transfer,
    propose_case_transfer,
    receiving_workers,
)
