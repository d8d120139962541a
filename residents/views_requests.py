"""The triage queue, the case page and the workflow steps.

Every workflow POST carries the version the user saw; the services refuse a stale one. Quick actions in
the queue answer an htmx request with the updated row (templates/residents/_queue_row.html) and a plain
POST with a redirect back, so the queue works without JavaScript. District and municipal centre users
read only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Window
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from residents import forms as f
from residents import services
from residents.fields import PK_MAX
from residents.filters import RequestFilter, user_names
from residents.models import Request
from residents.panels import request_panels
from residents.queue_rows import QueueRows
from residents.views import PAGE_SIZE, refuse_id_in_url
from stations import access, reference
from stations.audit import record_access
from stations.web import is_htmx

# action → (form, message on success); the service function each runs is spelled out in `_perform`.
ACTIONS = {
    "triage": (f.TriageForm, "已更新轻重缓急。"),
    "assign": (f.AssignForm, "已指派承办社工。"),
    "start": (f.StartForm, "已开始办理。"),
    "refer": (f.ReferForm, "已转介。"),
    "referral_outcome": (f.ReferralOutcomeForm, "已登记转介结果。"),
    "resolve": (f.ResolveForm, "已办结，请按期回访。"),
    "follow_up": (f.FollowUpForm, "已回访并结案。"),
    "reopen": (f.ReopenForm, "已重新办理。"),
    "withdraw": (f.WithdrawForm, "已撤回。"),
    "reject": (f.RejectForm, "已不予受理。"),
    "note": (f.NoteForm, "已添加备注。"),
}


def _perform(action, *, user, req, referral, data):
    """Run the workflow step `action` through its service function (which checks the step itself)."""
    match action:
        case "triage":
            services.triage_request(acting_user=user, request=req, **data)
        case "assign":
            services.assign_request(acting_user=user, request=req, **data)
        case "start":
            services.start_request(acting_user=user, request=req, **data)
        case "refer":
            services.refer_request(acting_user=user, request=req, **data)
        case "referral_outcome":
            referral.request = req
            services.record_referral_outcome(acting_user=user, referral=referral, **data)
        case "resolve":
            services.resolve_request(acting_user=user, request=req, **data)
        case "follow_up":
            services.follow_up_request(acting_user=user, request=req, **data)
        case "reopen":
            services.reopen_request(acting_user=user, request=req, **data)
        case "withdraw":
            services.withdraw_request(acting_user=user, request=req, **data)
        case "reject":
            services.reject_request(acting_user=user, request=req, **data)
        case "note":
            services.add_note(acting_user=user, request=req, **data)
        case _:
            raise ValueError(f"unknown workflow step {action!r}")


def _make_form(action, req, data=None, **kwargs):
    form_class = ACTIONS[action][0]
    if form_class is f.AssignForm:
        kwargs["request_obj"] = req
    initial = {"version": req.version}
    if action == "triage":
        initial |= {"severity": req.severity, "urgency": req.urgency}
    elif action == "assign":
        initial["assignee"] = req.assignee_id
    return form_class(data, initial=initial, **kwargs)


ACTION_ORDER = (
    "start",
    "triage",
    "assign",
    "refer",
    "resolve",
    "follow_up",
    "reopen",
    "note",
    "withdraw",
    "reject",
)
PRIMARY_ACTIONS = {"start", "resolve", "follow_up"}
CONFIRM = {"withdraw": "确定撤回该诉求吗？撤回后不能再办理。", "reject": "确定不予受理吗？"}


def _station_workers(user):
    """Who the quick action 指派 offers, (pk, label) pairs: the station's staff (nobody for district and
    city users), as the queue's assignee filter lists them."""
    return user_names(services.station_workers(user.station_id)) if access.is_station_user(user) else []


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: redirect() would take a bare word ("queue") for a URL name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, when the view has counted them anyway."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count = count  # instead of the cached property's COUNT query


def _figures(now, window: bool) -> dict:
    """The queue's figures (matching, overdue, unassigned): as aggregates, or as window aggregates over
    all matching rows that every row of a page carries (`COUNT(*) OVER ()`)."""
    open_ = Q(status__in=Request.OPEN_STATUSES)
    figures = {
        "total": Count("pk"),
        "overdue": Count("pk", filter=open_ & Q(due_at__lt=now)),
        "unassigned": Count("pk", filter=open_ & Q(assignee__isnull=True)),
    }
    if window:
        return {f"queue_{name}": Window(figure) for name, figure in figures.items()}
    return figures


def _counted_figures(requests, now) -> dict:
    """`_figures` of requests in hand."""
    open_ = [r for r in requests if r.status in Request.OPEN_STATUSES]
    return {
        "total": len(requests),
        "overdue": sum(r.due_at < now for r in open_),
        "unassigned": sum(r.assignee_id is None for r in open_),
    }


def _queue_page(results, number, now):
    """The page `number` (?page=, read as Paginator.get_page reads it) and the figures, in one query for a
    queue that fits on its first page (most stations' queues: the figures are counted from its rows) or
    for a later page (the rows carry the figures as window aggregates).

    A page with no rows on it says nothing about the count: past the end (or below 1), the figures are
    counted on their own and, as get_page() does, the last page is shown."""
    rows = QueueRows.columns(results)

    def page(object_list, number, stats):
        return Page(object_list, number, CountedPaginator(rows, PAGE_SIZE, count=stats.pop("total"))), stats

    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    if number == 1:
        object_list = list(rows[: PAGE_SIZE + 1])
        if len(object_list) <= PAGE_SIZE:
            return page(object_list, 1, _counted_figures(object_list, now))
        return page(object_list[:PAGE_SIZE], 1, results.order_by().aggregate(**_figures(now, window=False)))
    # A page no table can reach is past the end without asking (and its OFFSET would overflow).
    if 1 < number <= PK_MAX // PAGE_SIZE:
        windowed = rows.annotate(**_figures(now, window=True))
        object_list = list(windowed[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
        if object_list:
            figures = {
                name: getattr(object_list[0], f"queue_{name}") for name in ("total", "overdue", "unassigned")
            }
            return page(object_list, number, figures)
    stats = results.order_by().aggregate(**_figures(now, window=False))
    return CountedPaginator(rows, PAGE_SIZE, count=stats.pop("total")).get_page(number), stats


@require_safe
@never_cache
@login_required
def request_queue(request):
    refused = refuse_id_in_url(request)
    if refused:
        return refused
    user = request.user
    requests = Request.objects.visible_to(user).order_by("priority", "due_at", "pk")
    filterset = RequestFilter(request.GET or None, queryset=requests, user=user)
    page, stats = _queue_page(filterset.qs, request.GET.get("page"), timezone.now())
    if page.object_list:
        # Who saw which residents' names: two INSERTs (the record, its residents in one bulk INSERT),
        # from the rows in hand, whatever the size of the queue.
        record_access(request, "list", residents=[r.resident_id for r in page.object_list if r.resident_id])
    can_act = access.is_station_user(user)
    rows = QueueRows(
        request,
        can_act=can_act,
        workers=filterset.choices("assignee") if can_act else (),
        next_url=request.get_full_path(),
        categories=filterset.choices("category"),
        communities=filterset.choices("community_names"),
        assignees=filterset.choices("assignee"),
    )
    return render(
        request,
        "residents/request_queue.html",
        {
            "filter": filterset,
            # No filter chosen: the form is the same for the whole scope until its lists change, so it
            # is rendered once (stations/reference.py).
            "filter_cache_key": None if filterset.is_bound else filterset.reference_key,
            "filter_cache_ttl": reference.TTL,
            "page": page,
            "rows": rows.render(page.object_list),
            "stats": stats,
            "can_act": can_act,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _detail_context(request, req, bound=None):
    user = request.user
    can_act = access.works_at(user, req)
    actions = req.available_actions() if can_act else set()
    forms = {action: (bound or {}).get(action) or _make_form(action, req) for action in actions}
    forms.pop("referral_outcome", None)
    referrals = list(req.referrals.select_related("referred_by"))
    outcome_forms = {}
    if "referral_outcome" in actions:
        for referral in referrals:
            if referral.outcome in (referral.Outcome.PENDING, referral.Outcome.ACCEPTED):
                outcome_forms[referral.pk] = (bound or {}).get(
                    f"referral_outcome-{referral.pk}"
                ) or _make_form("referral_outcome", req, auto_id=f"ref{referral.pk}_%s")
    for referral in referrals:
        referral.outcome_form = outcome_forms.get(referral.pk)
    action_forms = [
        {
            "name": name,
            "label": req.action_label(name),
            "form": forms[name],
            "url": reverse(f"residents:request-{name.replace('_', '-')}", args=[req.pk]),
            "primary": name in PRIMARY_ACTIONS,
            "confirm": CONFIRM.get(name, ""),
            "open": bool(bound and name in bound),
        }
        for name in ACTION_ORDER
        if name in forms
    ]
    pending_transfer = services.pending_transfer(req) if req.is_open else None
    return {
        "req": req,
        "pending_transfer": pending_transfer,
        "may_transfer": can_act and req.is_open and pending_transfer is None,
        "may_dispatch": req.is_open and pending_transfer is None and access.may_dispatch(user, req.station),
        "events": req.events.select_related("actor").order_by("at", "pk"),
        "referrals": referrals,
        "can_act": can_act,
        "action_forms": action_forms,
        "panels": request_panels(request, req),
    }


@never_cache
@login_required
def request_detail(request, pk):
    req = access.get_visible_or_404(
        Request.objects.with_queue_columns().select_related("station", "created_by"), request.user, pk=pk
    )
    if req.resident_id and access.may_open(request.user, req.resident):
        record_access(request, "view", residents=req.resident_id)
    return render(request, "residents/request_detail.html", _detail_context(request, req))


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def request_phone(request, pk):
    """The caller's whole phone number with a call link (tel:): the resident's, or the reporter's of a
    QR or hotline request. Staff of the request's station only (others: 404); recorded as an access."""
    req = access.get_editable_or_404(
        Request.objects.with_queue_columns().select_related("station", "created_by"), request.user, pk=pk
    )
    if req.resident_id and not access.may_open(request.user, req.resident):
        raise PermissionDenied
    try:
        phone = services.reveal_phone(acting_user=request.user, request=req)
    except services.WorkflowError as error:
        messages.error(request, error.messages[0])
        return redirect(req)
    record_access(
        request, "reveal", residents=req.resident_id, reason=f"{services.PHONE_REVEAL_REASON} {req.reference}"
    )
    context = _detail_context(request, req) | {"revealed_phone": phone}
    return render(request, "residents/request_detail.html", context)


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def request_action(request, pk, action, referral_pk=None):
    user = request.user
    req = access.get_editable_or_404(
        Request.objects.with_queue_columns().select_related("station", "created_by"), user, pk=pk
    )
    referral = get_object_or_404(req.referrals, pk=referral_pk) if action == "referral_outcome" else None
    form = _make_form(action, req, request.POST)
    done = ACTIONS[action][1]
    error = None
    if form.is_valid():
        try:
            _perform(action, user=user, req=req, referral=referral, data=form.cleaned_data)
        except services.WorkflowError as exc:
            error = "；".join(exc.messages)
    else:
        error = "；".join(msg for errors in form.errors.values() for msg in errors)

    next_url = _safe_next(request)
    if is_htmx(request) and request.POST.get("from") == "queue":
        # The queue row, fresh from the database: after a refusal it shows the current state.
        fresh = (
            QueueRows.columns(Request.objects.all(), assignee=True)
            .select_related("category__parent", "community")
            .get(pk=req.pk)
        )
        rows = QueueRows(request, can_act=True, workers=_station_workers(user), next_url=next_url)
        # One row: through the partial, the markup's reference (the page writes many through the fast path).
        row = rows.context(fresh, error=error or "", done="" if error else done)
        return render(request, "residents/_queue_row.html", {"row": row})
    if error is None:
        messages.success(request, done)
        return redirect(next_url or req)
    if not form.is_valid() and not next_url:
        # Errors next to the fields, on the case page.
        key = f"referral_outcome-{referral.pk}" if referral else action
        context = _detail_context(request, req, bound={key: form})
        messages.error(request, "请修正下面标出的错误。")
        return render(request, "residents/request_detail.html", context, status=400)
    messages.error(request, error)
    return redirect(next_url or req)
