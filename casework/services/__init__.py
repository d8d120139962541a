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

# cwfile: reading a case whole (the case file and the register)
from casework.services.register import (  # noqa: F401, E402
    REGISTER_COLUMNS,
    case_file,
    client_is_sensitive,
    register_queryset,
    register_row,
)
