"""The reporters' pages (居委会 staff, volunteer reporters): report a need, follow what they reported.
Nothing else opens for them (sws.security.middleware confines them to this namespace)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from residents import services
from residents.forms_reporting import ReportForm
from residents.models import Request
from stations import access

reporters_only = access.role_required(access.is_reporter)


@login_required
@reporters_only
def report_create(request):
    communities = services.reporter_communities(request.user)
    form = ReportForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.report_need(acting_user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已上报，受理编号 {created.reference}。社工站将尽快处理。")
            return redirect("reporting:mine")
    return render(request, "residents/reporting/report_form.html", {"form": form})


@require_safe
@login_required
@reporters_only
def my_reports(request):
    """ "我上报的": the status of each report, nothing of the station's work on it (notes, assignee)."""
    reports = (
        Request.objects.reported_by(request.user)
        .select_related("community", "category")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    return render(request, "residents/reporting/my_reports.html", {"page": page})
