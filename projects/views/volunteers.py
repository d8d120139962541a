"""Volunteers (志愿者): the list with hours in a period, the volunteer's page, create and edit, the phone
shown on request, the XLSX export, the hours of a visit, and the proof of service hours.

Phones are shown masked; the whole number and the export are logged as personal-data access
(`stations.audit.record_access`, with the volunteer named in the reason: the log's resident columns are
for residents)."""

import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook

from notifications import recipients
from projects import volunteering
from projects.filters import VolunteerFilter
from projects.forms_volunteers import ProofPeriodForm, VolunteerForm, hours_formset
from projects.models import ServiceHours, ServiceProof, Volunteer
from projects.views.common import login_required, paginate, show_station, station_staff_required
from residents.models import Visit
from residents.views import restricted_response
from stations import access
from stations.audit import record_access
from stations.locking import StaleVersionError
from stations.spreadsheets import safe_text

EXPORT_LIMIT = 5000
DETAIL_ROWS = 50


def _hours_between(date_from, date_to):
    """The volunteer's hours in the period, as a subquery (the list's one query stays one)."""
    rows = (
        ServiceHours.objects.filter(volunteer=OuterRef("pk"), date__gte=date_from, date__lte=date_to)
        .order_by()
        .values("volunteer")
        .annotate(t=Sum("hours"))
        .values("t")
    )
    return Coalesce(Subquery(rows), Value(0), output_field=DecimalField(max_digits=8, decimal_places=1))


def _filtered(request):
    user = request.user
    filterset = VolunteerFilter(
        request.GET, queryset=Volunteer.objects.visible_to(user).with_list_columns(), user=user
    )
    date_from, date_to = filterset.period(timezone.localdate())
    queryset = filterset.qs.annotate(period_hours=_hours_between(date_from, date_to))
    return filterset, queryset, date_from, date_to


@require_safe
@login_required
def volunteer_list(request):
    filterset, queryset, date_from, date_to = _filtered(request)
    page = paginate(request, queryset)
    # The total is the listed volunteers' (search, station, team … as the list), one query.
    listed = filterset.qs.order_by().values("pk")
    visible_hours = (
        ServiceHours.objects.visible_to(request.user).between(date_from, date_to).filter(volunteer__in=listed)
    )
    return render(
        request,
        "projects/volunteer_list.html",
        {
            "filter": filterset,
            "page": page,
            "volunteer_count": page.paginator.count,
            "hours_total": visible_hours.total(),
            "date_from": date_from,
            "date_to": date_to,
            "show_station": show_station(request.user),
        },
    )


@require_safe
@login_required
def volunteer_export(request):
    """The filtered list as XLSX, phones masked; the export is logged."""
    filterset, queryset, date_from, date_to = _filtered(request)
    rows = list(queryset.order_by("station__code", "name", "pk")[: EXPORT_LIMIT + 1])
    if len(rows) > EXPORT_LIMIT:
        messages.error(request, f"超过 {EXPORT_LIMIT} 人，请先按社工站筛选后再导出。")
        return redirect("projects:volunteer-list")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("志愿者")
    sheet.append([f"志愿者名册（服务时长 {date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}）"])
    sheet.append(
        [
            "社工站",
            "姓名",
            "联系电话",
            "所在社区",
            "技能特长",
            "可服务时间",
            "所在队伍数",
            "服务时长（小时）",
            "同意联系",
        ]
    )
    for v in rows:
        sheet.append(
            [
                _cell(v.station.name),
                _cell(v.name),
                v.masked_phone,
                _cell(v.community.short_name if v.community else ""),
                _cell(v.skills),
                _cell(v.availability),
                v.team_count,
                float(v.period_hours),
                f"{v.contact_consent_on:%Y-%m-%d} {v.get_contact_consent_method_display()}"
                if v.contact_consent_on
                else "未同意",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    record_access(request, "export", reason=f"导出志愿者名册（{len(rows)} 人）")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''volunteers.xlsx"
    return response


def _cell(text: str) -> str:
    return safe_text(text or "")


def _detail_context(request, volunteer, **extra):
    today = timezone.localdate()
    hours = volunteer.service_hours.with_source().order_by("-date", "-pk")
    this_year = Q(date__gte=today.replace(month=1, day=1), date__lte=today)
    sums = volunteer.service_hours.order_by().aggregate(
        n=Count("pk"), year=Sum("hours", filter=this_year), total=Sum("hours")
    )  # one query for the three figures
    return {
        "volunteer": volunteer,
        "memberships": volunteer.memberships.select_related("team").order_by("left_on", "-joined_on"),
        "hours": hours[:DETAIL_ROWS],
        "hours_count": sums["n"],
        "hours_this_year": sums["year"] or Decimal("0.0"),
        "hours_total": sums["total"] or Decimal("0.0"),
        "proofs": volunteer.proofs.select_related("issued_by")[:20],
        "proof_form": ProofPeriodForm(
            initial={"period_start": today.replace(month=1, day=1), "period_end": today}
        ),
        "can_edit": access.may_change(request.user, volunteer),
        "works_here": access.works_at(request.user, volunteer),
        **extra,
    }


@require_safe
@login_required
def volunteer_detail(request, pk):
    volunteer = access.get_visible_or_404(
        Volunteer.objects.select_related("station", "community", "created_by"), request.user, pk=pk
    )
    return render(request, "projects/volunteer_detail.html", _detail_context(request, volunteer))


@never_cache
@require_POST
@login_required
@station_staff_required
def volunteer_phone(request, pk):
    """The whole phone on this response only, for the volunteer's own station; logged."""
    volunteer = access.get_editable_or_404(
        Volunteer.objects.select_related("station", "community", "created_by"), request.user, pk=pk
    )
    phone = volunteering.reveal_phone(acting_user=request.user, volunteer=volunteer)
    record_access(request, "reveal", reason=f"{volunteering.PHONE_REVEAL_REASON}：志愿者{volunteer.number}")
    return render(
        request, "projects/volunteer_detail.html", _detail_context(request, volunteer, revealed_phone=phone)
    )


def _save(request, form, volunteer=None):
    if not form.is_valid():
        return None
    try:
        return volunteering.save_volunteer(
            acting_user=request.user, form=form, version=form.cleaned_data.get("version")
        )
    except StaleVersionError as exc:
        form.add_error(None, exc.messages)
        return None


@login_required
@station_staff_required
def volunteer_create(request):
    form = VolunteerForm(request.POST or None, station=request.user.station)
    if request.method == "POST" and (volunteer := _save(request, form)):
        messages.success(request, "志愿者已登记。")
        return redirect(volunteer)
    return render(request, "projects/volunteer_form.html", {"form": form})


@login_required
def volunteer_edit(request, pk):
    volunteer = access.get_editable_or_404(Volunteer, request.user, pk=pk)
    if not access.works_at(request.user, volunteer):
        # An admin reads it; changing a volunteer's teams is the station's own work.
        return redirect(volunteer)
    form = VolunteerForm(request.POST or None, instance=volunteer, station=volunteer.station)
    if request.method == "POST" and _save(request, form, volunteer):
        messages.success(request, "志愿者信息已保存。")
        return redirect(volunteer)
    return render(request, "projects/volunteer_form.html", {"form": form, "volunteer": volunteer})


# --- Proof of service hours ----------------------------------------------------------------------------


@require_POST
@login_required
@station_staff_required
def proof_issue(request, pk):
    """Issue a numbered proof for the posted period; the proof page is the printable one."""
    volunteer = access.get_editable_or_404(
        Volunteer.objects.select_related("station", "community", "created_by"), request.user, pk=pk
    )
    form = ProofPeriodForm(request.POST)
    if form.is_valid():
        try:
            proof = volunteering.issue_proof(
                acting_user=request.user,
                volunteer=volunteer,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            record_access(request, "export", reason=f"出具志愿服务记录证明 {proof.serial}")
            messages.success(request, f"已出具志愿服务记录证明 {proof.serial}。")
            return redirect(proof)
    context = _detail_context(request, volunteer, proof_form=form)
    return render(request, "projects/volunteer_detail.html", context, status=400)


@require_safe
@login_required
def proof_detail(request, pk):
    proof = access.get_visible_or_404(
        ServiceProof.objects.select_related("station__operator", "volunteer", "issued_by"),
        request.user,
        pk=pk,
    )
    head = recipients.station_heads(proof.station_id).first()
    record_access(request, "view", reason=f"查看志愿服务记录证明 {proof.serial}")
    return render(request, "projects/proof_detail.html", {"proof": proof, "head": head})


# --- Hours of a visit ------------------------------------------------------------------------------------


@login_required
@station_staff_required
def visit_hours(request, pk):
    """Who served on a visit (探访) and for how long: the visit is the station's (through its resident)."""
    visit = access.get_editable_or_404(
        Visit.objects.select_related("resident__community", "visitor"), request.user, pk=pk
    )
    if not access.may_open(
        request.user, visit.resident
    ):  # a minor's or sensitive resident, as on the care page
        return restricted_response(request, visit.resident)
    station = request.user.station
    existing = visit.volunteer_hours.select_related("volunteer").order_by("pk")
    formset = hours_formset(request.POST or None, station=station, existing=existing)
    if request.method == "POST" and formset.is_valid():
        try:
            volunteering.record_hours(
                acting_user=request.user, rows=formset.rows(), visit=visit, station=station
            )
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, "探访的志愿服务时长已保存。")
            return redirect("residents:resident-care", visit.resident_id)
    return render(
        request,
        "projects/visit_hours.html",
        {"visit": visit, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )
