"""Handing a leaving worker's open work (requests, visit plans, cases as lead or co-worker, case tasks:
every part registered in residents.handover) to a colleague of the station, in one step (linked from
the admin's warning when an assignment ends). Station staff of that station, its district's guidance
centre and admins (`access.may_hand_over`); a 404 for anyone else."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from residents import handover as handover_parts
from stations import access
from stations.models import Assignment


class HandoverForm(forms.Form):
    to = forms.ModelChoiceField(
        label="移交给",
        queryset=None,
        empty_label="请选择本站同事",
        error_messages={"invalid_choice": "只能移交给本站在岗的其他社工。", "required": "请选择接手的同事。"},
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = colleagues


@login_required
def handover(request, pk):
    assignment = access.get_visible_or_404(
        Assignment.objects.select_related("user", "station"), request.user, pk=pk
    )
    if not access.may_hand_over(request.user, assignment):
        raise Http404  # the municipal centre reads staffing but does not act for a station
    colleagues = handover_parts.handover_colleagues(assignment.station_id, assignment.user_id)
    form = HandoverForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            counts = handover_parts.hand_over_open_work(
                acting_user=request.user, assignment=assignment, to_user=form.cleaned_data["to"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = (
                "，".join(f"{label} {count} 件" for label, count in counts.items() if count) or "无待移交事项"
            )
            messages.success(request, f"已移交给{form.cleaned_data['to']}：{done}。")
            return redirect("residents:request-queue")
    held = list(
        handover_parts.open_requests_held(assignment.user_id, assignment.station_id)
        .select_related("community", "category")
        .order_by("due_at", "pk")
    )
    # The other parts (visit plans, cases, case tasks) are counted: one query each, whatever they hold.
    others = [
        (part.label, part.held(assignment.user_id, assignment.station_id).count())
        for part in handover_parts.parts()
        if part.key != "requests"
    ]
    return render(
        request,
        "residents/handover.html",
        {
            "assignment": assignment,
            "held": held,
            "others": others,
            "anything": bool(held) or any(count for _label, count in others),
            "form": form,
        },
        status=200,
    )
