"""The case page: every stage's section in order, for those who may read the case (others: 404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from casework.models import Case
from casework.permissions import remember_page_access
from casework.services.transfers import pending_case_transfer
from casework.views.closing import closing_context
from casework.views.intake_sections import intake_context
from casework.views.referrals import referrals_context
from stations import access
from stations.audit import record_access


# cwsuper's sections' context, imported late: their modules import `case_queryset` from this one.
def supervision_context(request, case):
    from casework.views.supervision import supervision_context

    return supervision_context(request, case)


def conferences_context(request, case, may_work):
    from casework.views.conferences import conferences_context

    return conferences_context(request, case, may_work)


def case_queryset():
    # The client's tags: `may_open` (a sensitive tag) is asked by every section; read them once.
    return Case.objects.select_related(
        "station", "client", "request", "lead_worker", "co_worker"
    ).prefetch_related("client__tags")


@never_cache
@login_required
def case_detail(request, pk):
    case = access.get_visible_or_404(case_queryset(), request.user, pk=pk)
    if not access.may_open(request.user, case):
        raise PermissionDenied
    # Every read of a case record is a look at the client's personal data.
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference}")
    may_work = access.works_at(request.user, case)
    remember_page_access(case, request.user, works=may_work)  # the sections ask once, not each
    context = {"case": case, "events": case.events.select_related("actor"), "may_work": may_work}
    # transfers2: a pending transfer shows (and may be withdrawn); the lead worker or head may propose one.
    context["pending_transfer"] = pending_case_transfer(case) if may_work else None
    context["may_transfer"] = (
        case.is_open and may_work and access.may_propose_case_transfer(request.user, case)
    )
    context |= intake_context(request, case, may_work=context["may_work"])  # cwopen: intake, 预估, 计划
    context |= closing_context(request, case)  # cwclose: services, evaluation, closure, tasks
    context |= supervision_context(request, case) | conferences_context(request, case, context["may_work"])
    context |= referrals_context(case, may_work)  # 转介至合作伙伴
    return render(request, "casework/case_detail.html", context)
