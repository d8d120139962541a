"""Set-up helpers of the closing work's tests (cwclose): cases at a stage, with an approved plan and goals."""

import datetime

from casework.models import Case, CasePlan, Goal, Intervention
from tests import factories as f
from tests.casework.factories import make_case
from tests.residents.factories import make_resident


def case_at(station, community, lead_worker, stage=Case.Stage.INTERVENTION, **fields):
    """A case at `stage` (written straight to the database), its client registered in `community`."""
    client = fields.pop("client", None) or make_resident(community, name=fields.pop("client_name", "孙秀英"))
    return make_case(station, client, lead_worker, stage=stage, **fields)


def approved_plan(case, author, goals=("恢复规律作息", "每周外出一次")):
    plan = CasePlan.objects.create(
        case=case, author=author, status=CasePlan.Status.APPROVED, client_agreed=True, summary="计划"
    )
    for text in goals:
        Goal.objects.create(plan=plan, text=text, indicator="社工观察", target_date=datetime.date(2027, 3, 1))
    Intervention.objects.create(plan=plan, action="每周家访", responsible="主责社工", frequency="每周")
    return plan


def minor(community, name="小明"):
    return make_resident(community, name=name, birth_date=datetime.date(2015, 5, 1))


def colleague(station, username="st-120113001-3", name="王芳"):
    """A worker of `station` who is not on the case."""
    user = f.make_user(username, f.User.Role.STATION_WORKER, station=station, name=name)
    f.make_assignment(user, station)
    return user
