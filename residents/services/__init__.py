"""Workflows on residents and requests. Each takes the acting user explicitly and writes the timeline.

Every change to a request or a resident is a conditional UPDATE ... WHERE version = <the version the
user saw> (optimistic locking, the same on SQLite and PostgreSQL): when someone else changed the record
in between, nothing is written and `StaleVersionError` tells the user to look again. Transitions are
checked against `Request.ACTION_FROM`/`Request.TRANSITIONS`; anything else is a `WorkflowError` with a
message in Chinese. Each step appends its `TimelineEvent` in the same transaction, and its audit-trail
entry (`residents.auditing`: auditlog's signals never see a QuerySet.update()).

Modules: `requests` (the request workflow), `registry` (residents and their ID numbers), `intake` (new
requests), `errors`. Every name is re-exported here: `from residents import services` is the way to use them.
"""

from residents.services.errors import StaleVersionError, WorkflowError  # noqa: F401
from residents.services.intake import (  # noqa: F401
    create_request,
    next_in_sequence,
    next_reference,
    take_in_dispatched_request,
    take_in_request,
)
from residents.services.registry import (  # noqa: F401
    ID_CHECK_LIMIT,
    ID_CHECK_RATE_MESSAGE,
    ID_TAKEN_IN_SCOPE_MESSAGE,
    ID_TAKEN_MESSAGE,
    PHONE_REVEAL_REASON,
    RESIDENT_FIELDS,
    check_id_number,
    held_duplicates,
    record_id_check,
    register_resident,
    reveal_id_number,
    reveal_phone,
    update_resident,
)
from residents.services.reporting import report_need, reporter_communities  # noqa: F401
from residents.services.requests import (  # noqa: F401
    REJECT_KINDS,
    WITHDRAW_KINDS,
    add_note,
    assign_request,
    follow_up_request,
    record_event,
    record_outside_follow_up,
    record_referral_outcome,
    refer_request,
    reject_request,
    reopen_request,
    resolve_request,
    start_request,
    station_workers,
    triage_request,
    withdraw_request,
)
from residents.services.transfers import (  # noqa: F401
    accept_transfer,
    awaiting_dispatch,
    cancel_transfer,
    communities_of,
    decline_transfer,
    dispatch_request,
    dispatch_targets,
    pending_transfer,
    propose_transfer,
    transfer_targets,
)
