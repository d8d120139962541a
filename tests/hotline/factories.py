"""Work orders stored as they would stand after their answers, without the services (figures' tests)."""

import datetime

from hotline.models import ExtensionRequest, WorkOrder

_count = [0]


def store_work_order(
    *,
    district,
    station=None,
    received_at,
    sign_within=datetime.timedelta(hours=2),
    reply_within=datetime.timedelta(days=7),
    signed_at=None,
    replied_at=None,
    state=None,
    return_reason="",
    satisfaction="",
    extended_by=None,
    extended_to=None,
):
    """An order of `district` (placed at `station`, or unplaced). `extended_by`: a user whose approved
    extension moved the reply deadline to `extended_to`."""
    _count[0] += 1
    reply_due = received_at + reply_within
    if extended_to is not None:
        reply_due = extended_to
    if state is None:
        state = (
            WorkOrder.State.UNPLACED
            if station is None
            else WorkOrder.State.REPLIED
            if replied_at
            else WorkOrder.State.SIGNED
            if signed_at
            else WorkOrder.State.RECEIVED
        )
    order = WorkOrder.objects.create(
        ticket_no=f"GD-F{_count[0]:06d}",
        received_at=received_at,
        hotline_category_code="0301",
        content="工单内容",
        deadline_class="normal",
        sign_due_at=received_at + sign_within,
        reply_due_at=reply_due,
        signed_at=signed_at,
        replied_at=replied_at,
        state=state,
        district=district,
        station=station,
        return_reason=return_reason,
        satisfaction=satisfaction,
    )
    if extended_by is not None:
        ExtensionRequest.objects.create(
            work_order=order,
            reason="需协调物业",
            new_due_on=extended_to.date(),
            state=ExtensionRequest.State.APPROVED,
            requested_by=extended_by,
        )
    return order
