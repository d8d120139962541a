"""Case conferences (个案会议): recording one on a case (its workers and head), with follow-up tasks; the
case page's conferences section."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from casework import services
from casework.forms_supervision import ConferenceForm, TaskFormSet, case_task_owners
from casework.views.cases import case_queryset
from stations import access


@never_cache
@login_required
def conference_create(request, pk):
    case = access.get_visible_or_404(case_queryset(), request.user, pk=pk)
    services.require_case_worker(request.user, case)  # readers who do not work the case: 403
    form = ConferenceForm(request.POST or None, case=case)
    tasks = TaskFormSet(request.POST or None, prefix="tasks", form_kwargs={"owners": case_task_owners(case)})
    if request.method == "POST" and form.is_valid() and tasks.is_valid():
        data = form.cleaned_data
        rows = [(t["title"], t["owner"], t["due_on"]) for t in tasks.cleaned_data if t.get("title")]
        try:
            services.hold_case_conference(
                acting_user=request.user,
                case=case,
                date=data["date"],
                participants=data["participants"],
                decisions=data["decisions"],
                staff=data["staff"],
                tasks=rows,
            )
        except services.CaseworkError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "个案会议已记录。")
            return HttpResponseRedirect(case.get_absolute_url() + "#conferences-title")
    invalid = request.method == "POST"
    context = {"case": case, "form": form, "tasks": tasks}
    return render(request, "casework/conference_form.html", context, status=400 if invalid else 200)


def conferences_context(request, case, may_work: bool) -> dict:
    """The conferences section: each conference with its staff and follow-up tasks (three queries)."""
    conferences = case.conferences.prefetch_related("staff", "tasks__owner")
    return {"conferences": conferences, "may_hold_conference": may_work and case.is_open}
