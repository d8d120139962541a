"""The case page: every stage's section in order, for those who may read the case (others: 404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from casework.models import Case
from casework.views.intake_sections import intake_context
from stations import access
from stations.audit import record_access


def case_queryset():
    return Case.objects.select_related("station", "client", "request", "lead_worker", "co_worker")


@never_cache
@login_required
def case_detail(request, pk):
    case = access.get_visible_or_404(case_queryset(), request.user, pk=pk)
    if not access.may_open(request.user, case):
        raise PermissionDenied
    # Every read of a case record is a look at the client's personal data.
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference}")
    context = {
        "case": case,
        "events": case.events.select_related("actor"),
        "may_work": access.works_at(request.user, case),
    }
    context |= intake_context(request, case, may_work=context["may_work"])  # cwopen: intake, 预估, 计划
    return render(request, "casework/case_detail.html", context)
