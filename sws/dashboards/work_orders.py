"""The 12345 hotline's figures (热线工单): orders received in a period and how they were answered.

Figures of a period, over the work orders received in it (`received_at`):

- 本期接收工单 (received); of them still 未能定位 (unplaced) as it stands;
- 按时签收 (signed_on_time): signed by the sign deadline; 按时签收率 = signed_on_time / received;
- 按时办结回复 (answered_on_time): answered by the reply deadline (an approved extension's new one);
  按时办结率 = answered_on_time / received;
- 退回 (returned): returned by the station at least once; 延期 (extended): with an approved extension;
- 来电人评价 (rated) and 满意 + 基本满意 (satisfied), 不满意 (dissatisfied); 热线满意率 = satisfied / rated.

A station's orders are those placed at it (an order returned to the district leaves the station); a
district's are all orders of the district, placed or not, so a district's total can exceed the sum of its
stations' rows. Each query groups by station or district (or not at all): a fixed number of queries.
"""

from django.db.models import Count, Exists, F, OuterRef, Q

from hotline.models import ExtensionRequest, WorkOrder
from sws.dashboards import queries as q
from sws.dashboards.periods import Period

HOTLINE_ROWS = [
    ("received", "本期接收工单", "int"),
    ("signed_on_time", "按时签收", "int"),
    ("signed_on_time_share", "按时签收率", "share"),
    ("answered_on_time", "按时办结回复", "int"),
    ("answered_on_time_share", "按时办结率", "share"),
    ("returned", "退回", "int"),
    ("extended", "延期（已同意）", "int"),
    ("rated", "来电人评价", "int"),
    ("dissatisfied", "其中不满意", "int"),
    ("satisfaction", "热线满意率", "share"),
]
ADDITIVE = ["received", "unplaced", "signed_on_time", "answered_on_time", "returned", "extended", "rated"]
ADDITIVE += ["satisfied", "dissatisfied"]
EMPTY = dict.fromkeys(ADDITIVE, 0)
SATISFIED = [WorkOrder.Satisfaction.SATISFIED, WorkOrder.Satisfaction.FAIRLY]


def orders(scope: q.Scope):
    """The scope's work orders: a station's placed orders, a district's all (unplaced ones too)."""
    found = WorkOrder.objects.visible_to(scope.user)
    if scope.station is not None:
        return found.filter(station=scope.station)
    if scope.district is not None:
        return found.filter(district=scope.district)
    return found


def hotline_counts(scope: q.Scope, period: Period, by: str | None) -> dict:
    """{station or district pk (None for the scope): figures} for the orders received in the period."""
    approved = ExtensionRequest.objects.filter(
        work_order=OuterRef("pk"), state=ExtensionRequest.State.APPROVED
    )
    found = orders(scope).filter(q.in_period("received_at", period)).alias(extended_=Exists(approved))
    aggregates = {
        "received": Count("pk"),
        "unplaced": Count("pk", filter=Q(state=WorkOrder.State.UNPLACED)),
        "signed_on_time": Count("pk", filter=Q(signed_at__isnull=False, signed_at__lte=F("sign_due_at"))),
        "answered_on_time": Count(
            "pk", filter=Q(replied_at__isnull=False, replied_at__lte=F("reply_due_at"))
        ),
        "returned": Count("pk", filter=~Q(return_reason="")),
        "extended": Count("pk", filter=Q(extended_=True)),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "satisfied": Count("pk", filter=Q(satisfaction__in=SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(satisfaction=WorkOrder.Satisfaction.DISSATISFIED)),
    }
    if by is None:
        grouped = {None: found.order_by().aggregate(**aggregates)}
    else:
        grouped = {
            row.pop(by): row
            for row in found.order_by().values(by).annotate(**aggregates)
            if row[by] is not None
        }
    return {key: complete({**EMPTY, **{k: v or 0 for k, v in row.items()}}) for key, row in grouped.items()}


def complete(figures: dict) -> dict:
    figures["signed_on_time_share"] = q.ratio(figures["signed_on_time"], figures["received"])
    figures["answered_on_time_share"] = q.ratio(figures["answered_on_time"], figures["received"])
    figures["satisfaction"] = q.ratio(figures["satisfied"], figures["rated"])
    return figures


def empty() -> dict:
    return complete(dict(EMPTY))
