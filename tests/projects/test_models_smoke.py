import datetime

from projects.models import AnnualPlan, TargetGroup
from projects.progress import plan_progress


def test_plan_progress_runs_on_empty_station(guoyuan, django_assert_max_num_queries):
    plan = AnnualPlan.objects.create(station=guoyuan, year=2023, target_volunteer_teams=3)
    with django_assert_max_num_queries(5):
        rows = plan_progress(plan)
    assert rows[0].target == 3 and rows[0].actual == 0
    assert TargetGroup.objects.filter(code="elderly").exists()
    assert datetime.date(2023, 1, 1) == plan.period[0]
