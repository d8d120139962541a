"""What the case page's intake, assessment and plan sections need (`intake_context`, called by
casework/views/cases.py): a fixed number of queries, whatever the case holds."""

from casework.forms import intake as forms
from casework.forms.planning import ReviewForm
from casework.models import Case
from casework.services import may_change_workers, may_review_case_plan
from casework.services.planning import EDITABLE, PLANNING_STAGES
from residents.models import HouseholdMembership, Resident

ASSESSING_STAGES = (Case.Stage.ASSESSMENT, *PLANNING_STAGES)


def household_members(user, client):
    """Registered residents who live with the client (today): the choices for a related person."""
    households = HouseholdMembership.objects.current().filter(resident=client).values("household")
    living_with = HouseholdMembership.objects.current().filter(household__in=households).values("resident")
    return Resident.objects.visible_to(user).filter(pk__in=living_with).exclude(pk=client.pk).order_by("name")


def intake_context(request, case, *, may_work) -> dict:
    user = request.user
    assessments = list(case.assessments.select_related("author").order_by("number"))
    plans = list(
        case.plans.select_related("author", "reviewed_by")
        .prefetch_related("goals", "interventions")
        .order_by("number")
    )
    draft_assessment = next((a for a in assessments if not a.locked), None)
    unfinished_plan = next((p for p in plans if p.status != p.Status.APPROVED), None)
    current_plan = next((p for p in reversed(plans) if p.status == p.Status.APPROVED), None)
    submitted = next((p for p in plans if p.status == p.Status.SUBMITTED), None)
    context = {
        "parties": list(case.parties.select_related("resident")),
        "consents": list(case.consents.select_related("recorded_by")),
        "shared": list(case.shared_with.order_by("name")),
        "assessments": assessments,
        "draft_assessment": draft_assessment,
        "plans": plans,
        "current_plan": current_plan,
        "unfinished_plan": unfinished_plan,
        "editable_plan_statuses": EDITABLE,
        "may_start_assessment": may_work and case.stage in ASSESSING_STAGES and draft_assessment is None,
        "may_start_plan": may_work and case.stage in PLANNING_STAGES and unfinished_plan is None,
        "plan_review_form": None,
        "submitted_plan": submitted,
    }
    if submitted is not None:
        submitted.case = case
        if may_review_case_plan(user, submitted):
            context["plan_review_form"] = ReviewForm(initial={"version": submitted.version})
    if may_work and case.is_open:
        station_id = case.station_id
        context["intake_forms"] = {
            "party": forms.PartyForm(residents=household_members(user, case.client), auto_id="party_%s"),
            "consent": forms.ConsentForm(
                auto_id="consent_%s",
                initial={
                    "given_by": "" if case.client.is_minor else case.client.name,
                    "relation": "" if case.client.is_minor else "本人",
                },
            ),
            "accept": forms.AcceptForm(initial={"version": case.version}, auto_id="accept_%s"),
            "decline": forms.DeclineForm(initial={"version": case.version}, auto_id="decline_%s"),
        }
        if may_change_workers(user, case, works=may_work):
            context["intake_forms"]["share"] = forms.ShareForm(station_id=station_id, auto_id="share_%s")
            context["intake_forms"]["workers"] = forms.WorkersForm(
                station_id=station_id,
                auto_id="workers_%s",
                initial={
                    "version": case.version,
                    "lead_worker": case.lead_worker_id,
                    "co_worker": case.co_worker_id,
                },
            )
    return context
