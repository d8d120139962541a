"""The case list, opening a case (开个案 for a resident, 转为个案 from a request) and the intake steps on the
case page (parties, consent, 立案 / 不予立案, workers, sharing). Views stay thin: the services check the
acting user and the step; an object outside the user's scope is a 404."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from casework import services
from casework.filters import CaseFilter
from casework.forms import intake as forms
from casework.models import Case, CaseParty
from casework.permissions import is_case_supervisor
from casework.views.intake_sections import household_members
from residents.models import Request, Resident
from stations import access
from stations.audit import record_access
from stations.web import errors_into

PAGE_SIZE = 25

reads_cases = access.role_required(access.is_station_user, is_case_supervisor)
station_staff = access.role_required(access.is_station_user)


def error_text(error) -> str:
    """A CaseworkError (or any ValidationError) as one line for a message."""
    if hasattr(error, "message_dict"):
        return "；".join(message for messages_ in error.message_dict.values() for message in messages_)
    return "；".join(error.messages)


@require_safe
@never_cache
@login_required
@reads_cases
def case_list(request):
    user = request.user
    cases = (
        Case.objects.visible_to(user)
        .select_related("client", "lead_worker", "co_worker", "station")
        .prefetch_related("client__tags")
        .order_by("-opened_at", "-pk")
    )
    filterset = CaseFilter(request.GET or None, queryset=cases, user=user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(case, access.may_open(user, case)) for case in page.object_list]
    opened = [case.client_id for case, may_open in rows if may_open]
    if opened:
        # The clients' names on the list are personal data: who saw which (two INSERTs).
        record_access(request, "list", residents=opened, reason="个案列表")
    return render(
        request,
        "casework/case_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "show_station": not access.is_station_user(user),
            "may_open_cases": access.is_station_user(user),
        },
    )


@never_cache
@login_required
@station_staff
def case_open(request):
    """开个案 for a registered resident of the station (?resident=<pk>, from the resident's page)."""
    user = request.user
    resident_pk = request.POST.get("resident") or request.GET.get("resident")
    if not (resident_pk and str(resident_pk).isdecimal() and len(str(resident_pk)) < 19):
        messages.error(request, "请从居民档案页面选择服务对象后开个案。")
        return redirect("residents:resident-list")
    client = access.get_editable_or_404(Resident.objects.with_list_columns(), user, pk=int(resident_pk))
    if not access.may_open(user, client):
        raise PermissionDenied
    form = forms.OpenCaseForm(
        request.POST or None, station_id=user.station_id, initial={"lead_worker": user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(acting_user=user, client=client, **form.cleaned_data)
        except services.CaseworkError as error:
            errors_into(form, error)
        else:
            messages.success(request, f"已开个案 {case.reference}，请记录知情同意后立案。")
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(request, "casework/case_open.html", {"form": form, "client": client}, status=status)


@never_cache
@login_required
@station_staff
def case_open_from_request(request, pk):
    """转为个案: the request's resident becomes the client; the request and the case link each other."""
    user = request.user
    req = access.get_editable_or_404(
        Request.objects.select_related("station", "resident", "category"), user, pk=pk
    )
    existing = Case.objects.filter(request=req).first()
    if existing is not None:
        messages.error(request, f"该诉求已转为个案 {existing.reference}，不能重复转换。")
        return redirect(req)
    if req.resident_id and not access.may_open(user, req.resident):
        raise PermissionDenied
    form = forms.OpenFromRequestForm(
        request.POST or None,
        station_id=req.station_id,
        initial={"lead_worker": req.assignee_id or user.pk, "presenting_problem": req.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case_from_request(acting_user=user, request=req, **form.cleaned_data)
        except services.CaseworkError as error:
            errors_into(form, error)
        else:
            messages.success(request, f"诉求 {req.reference} 已转为个案 {case.reference}。")
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "casework/case_open.html",
        {"form": form, "client": req.resident, "source_request": req},
        status=status,
    )


# --- Steps on the case page --------------------------------------------------------------------------


def editable_case(request, pk):
    """The case for a step: 404 unless the user may change it (its workers, shared colleagues, the
    head), 403 for a minor's or sensitive case without the permission."""
    case = access.get_editable_or_404(
        Case.objects.select_related("station", "client", "request", "lead_worker", "co_worker"),
        request.user,
        pk=pk,
    )
    if not access.may_open(request.user, case):
        raise PermissionDenied
    return case


def case_step(view):
    """A step posted from the case page: POST only, never cached, station staff, and the case loaded as
    `editable_case` loads it; the view is called with the case instead of its pk."""

    @functools.wraps(view)
    def with_case(request, pk, *args, **kwargs):
        return view(request, editable_case(request, pk), *args, **kwargs)

    return never_cache(require_POST(login_required(station_staff(with_case))))


def _step(request, case, form, perform, done):
    """Validate the posted form, run the service, and go back to the case page with the outcome."""
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except services.CaseworkError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done)
            return redirect(case)
    else:
        messages.error(request, error_text(form_errors(form)))
    return redirect(case)


def form_errors(form):
    labelled = {}
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        labelled[name] = [f"{label}：{e}" if label else e for e in errors]
    return ValidationError(labelled)


@case_step
def case_party_add(request, case):
    form = forms.PartyForm(request.POST, residents=Resident.objects.visible_to(request.user))
    return _step(
        request,
        case,
        form,
        lambda data: services.add_case_party(acting_user=request.user, case=case, **data),
        "已添加相关人员。",
    )


@case_step
def case_consent(request, case):
    return _step(
        request,
        case,
        forms.ConsentForm(request.POST),
        lambda data: services.record_consent(acting_user=request.user, case=case, **data),
        "已记录知情同意。",
    )


@case_step
def case_accept(request, case):
    return _step(
        request,
        case,
        forms.AcceptForm(request.POST),
        lambda data: services.accept_case(acting_user=request.user, case=case, **data),
        "已立案，请开展预估。",
    )


@case_step
def case_decline(request, case):
    return _step(
        request,
        case,
        forms.DeclineForm(request.POST),
        lambda data: services.decline_case(acting_user=request.user, case=case, **data),
        "已记录不予立案。",
    )


@case_step
def case_workers(request, case):
    return _step(
        request,
        case,
        forms.WorkersForm(request.POST, station_id=case.station_id),
        lambda data: services.change_case_workers(acting_user=request.user, case=case, **data),
        "已更换社工。",
    )


@case_step
def case_share(request, case):

    def perform(data):
        step = services.unshare_case if data.pop("unshare") else services.share_case
        step(acting_user=request.user, case=case, **data)

    return _step(
        request, case, forms.ShareForm(request.POST, station_id=case.station_id), perform, "已更新共享。"
    )


def _party(case, party_pk):
    """A related person of this case: another case's party (a forged id) is a 404."""
    return get_object_or_404(CaseParty.objects.select_related("resident"), case=case, pk=party_pk)


@never_cache
@login_required
@station_staff
def case_party_edit(request, pk, party_pk):
    """修改相关人员: a page of its own (the case page keeps one add form, not one per person)."""
    case = editable_case(request, pk)
    party = _party(case, party_pk)
    # The add form's choices (who lives with the client), and whoever the party is now.
    residents = household_members(request.user, case.client) | Resident.objects.visible_to(
        request.user
    ).filter(pk=party.resident_id)
    if request.method == "POST":
        form = forms.PartyEditForm(request.POST, residents=residents)
        if form.is_valid():
            try:
                services.update_case_party(acting_user=request.user, party=party, **form.cleaned_data)
            except services.CaseworkError as error:
                errors_into(form, error)
            else:
                messages.success(request, "已修改相关人员。")
                return redirect(case)
    else:
        form = forms.PartyEditForm(initial=forms.PartyEditForm.initial_for(party), residents=residents)
    # The page shows the client's name and a related person's details: a look at personal data.
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference} 相关人员")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "casework/party_edit.html", {"case": case, "party": party, "form": form}, status=status
    )


@case_step
def case_party_remove(request, case, party_pk):
    party = _party(case, party_pk)
    return _step(
        request,
        case,
        forms.VersionForm(request.POST),
        lambda data: services.remove_case_party(acting_user=request.user, party=party, **data),
        f"已删除相关人员：{party.name}。",
    )
