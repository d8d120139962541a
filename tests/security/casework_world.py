"""The supervision records of the access world (cwsuper): a high-risk case of 果园新村 led by its worker
(李静), a supervision session of the district with an action item she owns; the world's district centres
are designated casework supervisors (group 个案督导) of their own districts."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from casework import services
from casework.models import Case
from tests.casework.super_factories import designate


def add_supervision_records(world):
    users = world.users
    users.district_user = designate(users.district_user)
    users.other_district_user = designate(users.other_district_user)
    own = world.own
    case = Case.objects.create(
        reference="GY-SUP-00001",
        station=own.station,
        client=own.resident,
        lead_worker=users.worker2,
        created_by=users.worker2,
        source=Case.Source.OUTREACH,
        presenting_problem="独居高龄，跌倒风险高。",
        stage=Case.Stage.INTERVENTION,
        risk=Case.Risk.HIGH,
    )
    session = services.record_supervision_session(
        acting_user=users.district_user,
        station=own.station,
        date=timezone.localdate(),
        form="individual",
        topics="高风险个案的安全计划",
        workers=[users.worker2],
        cases=[case],
        action_items=[("补全安全评估", users.worker2, timezone.localdate() + datetime.timedelta(days=7))],
    )
    own.supervision = SimpleNamespace(case=case, session=session, action_item=session.action_items.get())
