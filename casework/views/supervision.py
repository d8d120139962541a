"""Supervision pages: the district review queue, a supervisor's note on a case, supervision sessions (list,
record, page, an action item done) and the case page's supervision section. Scope: cases under the
confidentiality rule (404 outside); sessions to the district's staff and their station's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from casework import services
from casework.forms_supervision import ActionItemFormSet, ItemDoneForm, NoteForm, SessionForm, StationPickForm
from casework.models import Case, CaseEvent, Closure, SupervisionActionItem, SupervisionSession
from casework.permissions import is_case_supervisor
from casework.services.supervision import NOTE_INTERVAL, PLAN_WAIT
from casework.views.cases import case_queryset
from stations import access
from stations.models import Station

supervisor_required = access.role_required(is_case_supervisor)
# Sessions are read by the district centre's staff and by the station's own staff.
session_readers = access.role_required(access.is_district_user, access.is_station_user)
PAGE_SIZE = 25


@require_safe
@never_cache
@login_required
@supervisor_required
def review_queue(request):
    context = {
        "queue": services.review_queue(request.user),
        "note_days": NOTE_INTERVAL.days,
        "plan_days": PLAN_WAIT.days,
    }
    return render(request, "casework/review_queue.html", context)


@require_POST
@login_required
def case_note(request, pk):
    case = access.get_visible_or_404(case_queryset(), request.user, pk=pk)
    services.require_case_supervisor(request.user, case)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_supervision_note(acting_user=request.user, case=case, text=form.cleaned_data["text"])
        except services.CaseworkError as error:
            form.add_error("text", error)
        else:
            messages.success(request, "督导意见已记入个案记录。")
            return HttpResponseRedirect(case.get_absolute_url() + "#supervision-title")
    context = {"case": case, "form": form}
    return render(request, "casework/supervision_note_form.html", context, status=400)


# --- Sessions -----------------------------------------------------------------------------------------


@require_safe
@never_cache
@login_required
@session_readers
def session_list(request):
    sessions = SupervisionSession.objects.visible_to(request.user).select_related("station", "supervisor")
    station = None
    if access.is_district_user(request.user) and request.GET.get("station", "").isdigit():
        station = get_object_or_404(Station.objects.visible_to(request.user), pk=request.GET["station"])
        sessions = sessions.filter(station=station)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    stations = (
        Station.objects.visible_to(request.user).order_by("code")
        if access.is_district_user(request.user)
        else []
    )
    context = {
        "page": page,
        "station": station,
        "stations": stations,
        "may_record": is_case_supervisor(request.user),
    }
    return render(request, "casework/session_list.html", context)


@never_cache
@login_required
@supervisor_required
def session_create(request):
    pick = StationPickForm(request.GET or None, user=request.user)
    if not pick.is_valid():
        return render(request, "casework/session_pick.html", {"pick": pick})
    station = pick.cleaned_data["station"]
    form = SessionForm(request.POST or None, user=request.user, station=station)
    items = ActionItemFormSet(request.POST or None, prefix="items", form_kwargs={"station": station})
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = form.cleaned_data
        rows = [(i["text"], i["owner"], i["due_on"]) for i in items.cleaned_data if i.get("text")]
        try:
            session = services.record_supervision_session(
                acting_user=request.user,
                station=station,
                date=data["date"],
                form=data["form"],
                topics=data["topics"],
                workers=data["workers"],
                cases=data["cases"],
                notes=data["notes"],
                action_items=rows,
            )
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "督导记录已保存。")
            return HttpResponseRedirect(reverse("casework:session-detail", args=[session.pk]))
    context = {"form": form, "items": items, "station": station}
    return render(
        request, "casework/session_form.html", context, status=400 if request.method == "POST" else 200
    )


@require_safe
@never_cache
@login_required
@session_readers
def session_detail(request, pk):
    queryset = SupervisionSession.objects.select_related("station", "supervisor", "district")
    session = access.get_visible_or_404(queryset, request.user, pk=pk)
    items = list(session.action_items.select_related("owner"))
    for item in items:
        item.may_complete = item.done_on is None and services.may_complete_action_item(request.user, item)
    # The cases discussed: only those the reader may read are named (others as a count).
    discussed = session.cases.all()
    readable = list(
        Case.objects.visible_to(request.user).filter(pk__in=discussed.values("pk")).order_by("reference")
    )
    context = {
        "session": session,
        "workers": session.workers.order_by("name"),
        "items": items,
        "cases": readable,
        "unnamed_cases": discussed.count() - len(readable),
    }
    return render(request, "casework/session_detail.html", context)


@require_POST
@login_required
@session_readers
def action_item_done(request, pk):
    queryset = SupervisionActionItem.objects.select_related("session__station")
    item = access.get_visible_or_404(queryset, request.user, pk=pk)
    if not services.may_complete_action_item(request.user, item):
        raise PermissionDenied
    form = ItemDoneForm(request.POST)
    url = reverse("casework:session-detail", args=[item.session_id])
    if not form.is_valid():
        return HttpResponseBadRequest("请求不完整，请刷新页面后重试。")
    try:
        services.complete_action_item(
            acting_user=request.user, item=item, version=form.cleaned_data["version"]
        )
    except services.CaseworkError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "改进事项已标记完成。")
    return HttpResponseRedirect(url)


# --- The case page's section --------------------------------------------------------------------------


def supervision_context(request, case) -> dict:
    """The supervision section: notes, sessions that discussed the case, the note form for the district's
    supervisors, and the district sign-off when the closure waits for it. Four queries at most."""
    user = request.user
    may_supervise = services.may_sign_off(user, case)
    pending = None
    if may_supervise:
        pending = case.closures.filter(status=Closure.Status.PENDING_DISTRICT).order_by("-pk").first()
    return {
        "supervision": {
            "may_note": may_supervise,
            "note_form": NoteForm(),
            "notes": case.events.filter(kind=CaseEvent.Kind.SUPERVISION).select_related("actor"),
            "sessions": SupervisionSession.objects.visible_to(user)
            .filter(cases=case)
            .select_related("supervisor"),
            "pending_closure": pending,
        }
    }
