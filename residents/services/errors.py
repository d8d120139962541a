"""The errors every residents workflow raises: a refused step, and a stale version (optimistic locking)."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError

from stations import locking


class WorkflowError(ValidationError):
    """A step the request's current state does not allow, or bad input for it."""


class StaleVersionError(WorkflowError, locking.StaleVersionError):
    """`stations.locking`'s refusal (its one message), caught with the other workflow errors."""

    def __init__(self, message=locking.STALE_MESSAGE):
        locking.StaleVersionError.__init__(self, message)


def _checked(version, current) -> int:
    with _stale_as_workflow_error():
        return locking.check(version, current)


@contextmanager
def _stale_as_workflow_error():
    """`stations.locking` refuses a stale version; here the refusal is also a `WorkflowError`."""
    try:
        yield
    except locking.StaleVersionError as error:
        raise StaleVersionError() from error
