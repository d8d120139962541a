"""The demo's casework: the report's child at 果园新村 runs as a case through every stage to the district
supervisor's sign-off; the other cases stop at every stage in every district; `--requests` scales them;
a second run adds nothing."""

import io
import random

import pytest

from casework.models import Case, CaseEvent, Closure, GoalAttainment, ServiceRecord
from casework.permissions import is_case_supervisor
from demo import casework as casework_demo
from demo.stories import STORY_TOKENS
from residents.models import Request
from stations.models import User
from tests.demo.test_residents import city, run  # noqa: F401  (the fixture and the runner)

pytestmark = pytest.mark.django_db
S = Case.Stage


def seed_cases(requests):
    out = io.StringIO()
    casework_demo.seed(options={"requests": requests}, rng=random.Random(7), out=out)
    return out.getvalue()


def test_the_childs_case_runs_through_every_stage_with_the_supervisors_sign_off(city):  # noqa: F811
    run(300, residents=120)
    output = seed_cases(300)
    assert "the report's child: GA" in output
    supervisor = User.objects.get(username=casework_demo.SUPERVISOR)
    assert is_case_supervisor(supervisor) and supervisor.district == city["guoyuan"].district
    request = Request.objects.get(submission_token=STORY_TOKENS["judicial-aid"])
    case = request.case
    assert case.client == request.resident and case.client.is_minor and case.stage == S.CLOSED
    assert case.station == city["guoyuan"] and case.needs_district_signoff
    moves = list(case.events.exclude(to_stage="").values_list("to_stage", flat=True))
    assert moves == [S.INTAKE, S.ASSESSMENT, S.PLANNING, S.INTERVENTION, S.EVALUATION, S.CLOSING, S.CLOSED]
    closure = case.closures.get()
    assert closure.status == Closure.Status.APPROVED and closure.signed_off_by == supervisor
    assert closure.head_approved_by != case.lead_worker  # the head approves, never the requester
    plan = case.plans.get()
    assert plan.reviewed_by != plan.author
    assert case.events.filter(kind=CaseEvent.Kind.CLOSURE_SIGNED, actor=supervisor).exists()
    assert ServiceRecord.objects.filter(case=case).count() >= 5
    assert case.consents.exists() and case.assessments.get().locked and case.conferences.exists()
    assert request.events.filter(text__contains=case.reference).exists()
    assert set(GoalAttainment.objects.filter(evaluation__case=case).values_list("attainment", flat=True)) == {
        "met"
    }


def test_the_cases_stop_at_every_stage_and_scale_with_the_requests(city):  # noqa: F811
    run(200, residents=150)
    seed_cases(600)  # 600 // 30 = 20 cases, and the child's
    assert Case.objects.count() == 21
    assert set(Case.objects.values_list("stage", flat=True)) == set(S)
    assert Closure.objects.filter(status=Closure.Status.PENDING_DISTRICT).exists()
    # Every case's last stage move leads to where it stands.
    for case in Case.objects.exclude(stage=S.INTAKE):
        last = case.events.exclude(to_stage="").order_by("at", "pk").last()
        assert last.to_stage == case.stage, case.reference
    # A closed high-risk case carries a sign-off.
    assert not Closure.objects.filter(
        status=Closure.Status.APPROVED, needs_district_signoff=True, signed_off_by=None
    ).exists()


def test_a_second_run_adds_nothing(city):  # noqa: F811
    run(100, residents=80)
    seed_cases(300)
    before = Case.objects.count()
    assert "already there" in seed_cases(300)
    assert Case.objects.count() == before
