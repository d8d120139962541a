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
