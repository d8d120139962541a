"""Annual plan approval: draft → submitted → approved, or returned with a comment; each step recorded."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from freezegun import freeze_time

from projects import services
from projects.models import AnnualPlan, PlanEvent
from stations.locking import STALE_MESSAGE
from tests.projects import factories as pf


def _plan_data(**overrides):
    data = {
        "year": "2023",
        "target_volunteer_teams": "6",
        "volunteer_text": "组建助老陪诊队",
        "target_organisations": "3",
        "organisations_text": "",
        "target_capacity_sessions": "",
        "capacity_text": "",
        "target_registered_residents": "500",
        "baseline_text": "",
        "target_projects": "2",
        "target_activity_sessions": "40",
        "target_person_times": "3000",
        "projects_text": "",
    }
    data.update(overrides)
    return data


def _actions(plan):
    return list(plan.events.order_by("at", "pk").values_list("action", "actor__username", "comment"))


def test_station_drafts_a_plan_and_it_is_recorded(client, worker):
    client.force_login(worker)
    response = client.post(reverse("projects:plan-create"), _plan_data())
    plan = AnnualPlan.objects.get()
    assert response.status_code == 302
    assert (plan.station, plan.year, plan.status) == (worker.station, 2023, AnnualPlan.Status.DRAFT)
    assert plan.target_capacity_sessions is None and plan.target_person_times == 3000
    assert _actions(plan) == [("created", "xupengze", "")]


def test_one_plan_per_station_and_year(client, worker):
    pf.make_plan(worker.station, 2023)
    client.force_login(worker)
    response = client.post(reverse("projects:plan-create"), _plan_data())
    assert "year" in response.context["form"].errors
    assert AnnualPlan.objects.count() == 1


def test_full_flow_submit_return_edit_resubmit_approve(client, worker, district_user):
    plan = pf.make_plan(worker.station, 2023, target_volunteer_teams=2)
    client.force_login(worker)
    response = client.post(reverse("projects:plan-submit", args=[plan.pk]), {"version": plan.version})
    plan.refresh_from_db()
    assert response.status_code == 302 and plan.status == AnnualPlan.Status.SUBMITTED
    assert plan.submitted_by == worker and plan.submitted_at is not None
    # Submitted: the station can no longer edit.
    response = client.post(reverse("projects:plan-edit", args=[plan.pk]), _plan_data(version=plan.version))
    plan.refresh_from_db()
    assert plan.target_volunteer_teams == 2

    client.force_login(district_user)
    response = client.post(reverse("projects:plan-return", args=[plan.pk]), {"comment": ""})
    assert response.status_code == 400 and "退回时请填写修改意见" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED
    client.post(reverse("projects:plan-return", args=[plan.pk]), {"comment": "志愿服务目标偏低"})
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.RETURNED and plan.review_comment == "志愿服务目标偏低"
    assert plan.decided_by == district_user

    client.force_login(worker)
    page = client.get(plan.get_absolute_url())
    assert "志愿服务目标偏低" in page.content.decode() and page.context["may_edit"]
    client.post(reverse("projects:plan-edit", args=[plan.pk]), _plan_data(version=plan.version))
    plan.refresh_from_db()
    assert plan.target_volunteer_teams == 6 and plan.year == 2023
    client.post(reverse("projects:plan-submit", args=[plan.pk]), {"version": plan.version})

    client.force_login(district_user)
    client.post(reverse("projects:plan-approve", args=[plan.pk]), {"comment": "同意"})
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.APPROVED
    assert _actions(plan) == [
        ("submitted", "xupengze", ""),
        ("returned", "dc-120113", "志愿服务目标偏低"),
        ("edited", "xupengze", ""),
        ("submitted", "xupengze", ""),
        ("approved", "dc-120113", "同意"),
    ]
    assert all(e.at is not None for e in plan.events.all())


def test_the_year_cannot_be_changed_by_editing(client, worker):
    plan = pf.make_plan(worker.station, 2023)
    client.force_login(worker)
    client.post(reverse("projects:plan-edit", args=[plan.pk]), _plan_data(year="2030", version=plan.version))
    plan.refresh_from_db()
    assert plan.year == 2023


@pytest.mark.parametrize("who", ["other_district_user", "city_user", "worker", "other_worker"])
def test_only_the_district_centre_of_the_station_decides(client, request, worker, who):
    plan = pf.make_plan(worker.station, 2023)
    services.submit_plan(acting_user=worker, plan=plan)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.approve_plan(acting_user=user, plan=plan)
    with pytest.raises(PermissionDenied):
        services.return_plan(acting_user=user, plan=plan, comment="不行")
    client.force_login(user)
    for name in ("projects:plan-approve", "projects:plan-return"):
        response = client.post(reverse(name, args=[plan.pk]), {"comment": "x"})
        assert response.status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.SUBMITTED


def test_district_staff_neither_edit_nor_submit(client, worker, district_user):
    plan = pf.make_plan(worker.station, 2023)
    client.force_login(district_user)
    assert client.get(reverse("projects:plan-edit", args=[plan.pk])).status_code == 404
    assert client.post(reverse("projects:plan-submit", args=[plan.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.submit_plan(acting_user=district_user, plan=plan)
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.DRAFT


def test_a_draft_cannot_be_approved_and_an_approved_plan_cannot_be_resubmitted(worker, district_user):
    plan = pf.make_plan(worker.station, 2023)
    with pytest.raises(ValidationError):
        services.approve_plan(acting_user=district_user, plan=plan)
    services.submit_plan(acting_user=worker, plan=plan)
    services.approve_plan(acting_user=district_user, plan=plan)
    with pytest.raises(ValidationError):
        services.submit_plan(acting_user=worker, plan=plan)
    with pytest.raises(ValidationError):
        services.return_plan(acting_user=district_user, plan=plan, comment="再改改")
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.APPROVED


def test_a_stale_submit_is_refused(client, worker):
    plan = pf.make_plan(worker.station, 2023)
    client.force_login(worker)
    response = client.post(
        reverse("projects:plan-submit", args=[plan.pk]), {"version": plan.version - 1}, follow=True
    )
    assert STALE_MESSAGE in response.content.decode()
    assert AnnualPlan.objects.get(pk=plan.pk).status == AnnualPlan.Status.DRAFT
    assert not PlanEvent.objects.filter(action="submitted").exists()


def test_pending_list_for_the_district(client, worker, other_worker, far_worker, district_user):
    mine = pf.make_plan(worker.station, 2023)
    neighbour = pf.make_plan(other_worker.station, 2023)
    far = pf.make_plan(far_worker.station, 2023)
    for plan, user in ((mine, worker), (far, far_worker)):
        services.submit_plan(acting_user=user, plan=plan)
    client.force_login(district_user)
    response = client.get(reverse("projects:plan-pending"))
    assert [row["plan"] for row in response.context["rows"]] == [mine]
    assert neighbour.status == AnnualPlan.Status.DRAFT
    page = client.get(mine.get_absolute_url())
    assert page.context["may_review"] and not page.context["may_edit"]


def test_plan_page_shows_target_against_actual_with_a_meter(client, worker):
    plan = pf.make_plan(worker.station, 2023, target_activity_sessions=10)
    pf.make_activity(worker.station, sessions=4)
    client.force_login(worker)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert '<meter class="plan-meter" min="0" max="10" value="4"' in html
    assert "40%" in html
    assert "style=" not in html


# --- The plan's year: from 2021 (when the stations began) to next year -------------------------------

TOO_EARLY = "年度不能早于2021年（社工站2021年起建设）。"
TOO_LATE_2026 = "年度不能晚于2026年：实施方案最多提前一年制定。"


@pytest.mark.parametrize(
    ("year", "message"),
    [(2020, TOO_EARLY), (2027, TOO_LATE_2026), (9999, TOO_LATE_2026)],
    ids=["2020", "2027", "9999"],
)
def test_a_year_before_the_stations_or_after_next_year_is_refused_in_chinese(client, worker, year, message):
    client.force_login(worker)
    with freeze_time("2025-12-31 23:30:00+08:00"):
        response = client.post(reverse("projects:plan-create"), _plan_data(year=str(year)))
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [message]
    assert message in response.content.decode()
    assert not AnnualPlan.objects.exists() and not PlanEvent.objects.exists()


@pytest.mark.parametrize("year", [2021, 2025, 2026])
def test_years_from_2021_to_next_year_are_accepted(client, worker, year):
    client.force_login(worker)
    with freeze_time("2025-06-01 10:00:00+08:00"):
        response = client.post(reverse("projects:plan-create"), _plan_data(year=str(year)))
    assert response.status_code == 302
    assert AnnualPlan.objects.get().year == year


def test_next_year_follows_the_calendar_in_tianjin(worker):
    """The bound moves with the date in Asia/Shanghai: at 00:30 on 1 January there (still 31 December in
    UTC) 2027 is already next year; half an hour before midnight it is not."""
    plan = AnnualPlan(station=worker.station, year=2027)
    with freeze_time("2025-12-31 23:30:00+08:00"), pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert refused.value.message_dict["year"] == [TOO_LATE_2026]
    with freeze_time("2026-01-01 00:30:00+08:00"):
        plan.full_clean()


def test_the_form_tells_the_browser_the_bounds(client, worker):
    client.force_login(worker)
    with freeze_time("2025-06-01 10:00:00+08:00"):
        page = client.get(reverse("projects:plan-create")).content.decode()
    field = page.split('name="year"', 1)[1].split(">", 1)[0]
    assert 'min="2021"' in field and 'max="2026"' in field


def test_the_admin_form_refuses_the_year_too(rf, admin_user, worker):
    from django.contrib import admin

    request = rf.get("/admin/projects/annualplan/add/")
    request.user = admin_user
    form_class = admin.site._registry[AnnualPlan].get_form(request)
    with freeze_time("2025-06-01 10:00:00+08:00"):
        form = form_class(data={"station": worker.station_id, "year": "2030"})
        assert form.errors["year"] == [TOO_LATE_2026]
        form = form_class(data={"station": worker.station_id, "year": "2020"})
        assert form.errors["year"] == [TOO_EARLY]
    assert not AnnualPlan.objects.exists()
