"""Every residents service checks the acting user itself: a forged call straight to the service, by a
user outside the record's station (another station, a district or municipal centre), is refused and
changes nothing, whatever a view would have done before it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from residents import services
from residents.models import Referral, Request, TimelineEvent
from tests.factories import category, make_request
from tests.residents.factories import make_resident

OUTSIDERS = ("other_worker", "far_worker", "district_user", "other_district_user", "city_user")

STEPS = {
    "triage": lambda u, r, w: services.triage_request(
        acting_user=u, request=r, severity="severe", urgency="urgent"
    ),
    "assign": lambda u, r, w: services.assign_request(acting_user=u, request=r, assignee=w),
    "start": lambda u, r, w: services.start_request(acting_user=u, request=r),
    "refer": lambda u, r, w: services.refer_request(
        acting_user=u, request=r, organisation="司法所", reason="咨询"
    ),
    "referral_outcome": lambda u, r, w: services.record_referral_outcome(
        acting_user=u,
        referral=Referral.objects.create(request=r, organisation="司法所", reason="咨询", referred_by=w),
        outcome="accepted",
    ),
    "resolve": lambda u, r, w: services.resolve_request(acting_user=u, request=r, note="已更换灯泡"),
    "follow_up": lambda u, r, w: services.follow_up_request(
        acting_user=u, request=r, satisfaction="satisfied"
    ),
    "reopen": lambda u, r, w: services.reopen_request(acting_user=u, request=r, reason="灯又坏了"),
    "withdraw": lambda u, r, w: services.withdraw_request(
        acting_user=u, request=r, kind="resident", reason="已解决"
    ),
    "reject": lambda u, r, w: services.reject_request(
        acting_user=u, request=r, kind="other", reason="属物业职责"
    ),
    "note": lambda u, r, w: services.add_note(acting_user=u, request=r, text="已电话联系居民"),
}


def _allowed_status(action):
    return Request.Status.IN_PROGRESS if action == "note" else sorted(Request.ACTION_FROM[action])[0]


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("action", sorted(STEPS))
def test_a_request_step_by_an_outsider_is_refused(request, action, outsider, guoyuan, worker, worker2):
    req = make_request(guoyuan, user=worker, status=_allowed_status(action))
    before = (req.status, req.version, req.assignee_id, TimelineEvent.objects.filter(request=req).count())
    with pytest.raises(PermissionDenied):
        STEPS[action](request.getfixturevalue(outsider), req, worker2)
    req.refresh_from_db()
    after = (req.status, req.version, req.assignee_id, TimelineEvent.objects.filter(request=req).count())
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(STEPS))
def test_the_same_step_by_the_station_is_done(action, guoyuan, worker, worker2):
    """The refusal above is the acting user's, not the step's: the station's own staff may take it."""
    req = make_request(guoyuan, user=worker, status=_allowed_status(action))
    events = TimelineEvent.objects.filter(request=req).count()
    STEPS[action](worker, req, worker2)
    assert TimelineEvent.objects.filter(request=req).count() == events + 1


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_resident_services_refuse_an_outsider(request, outsider, guoyuan, chaoyangli):
    user = request.getfixturevalue(outsider)
    resident = make_resident(
        chaoyangli, name="张桂兰", birth_date=datetime.date(1944, 5, 2), phone="13820135678"
    )
    with pytest.raises(PermissionDenied):
        services.register_resident(acting_user=user, name="李大爷", community=chaoyangli)
    with pytest.raises(PermissionDenied):
        services.update_resident(acting_user=user, resident=resident, version=resident.version, name="王")
    cat = category()
    with pytest.raises(PermissionDenied):
        services.take_in_request(
            acting_user=user,
            station=guoyuan,
            new_resident={"name": "李大爷", "community": chaoyangli},
            community=chaoyangli,
            category=cat,
            description="楼道灯坏了",
            severity=cat.default_severity,
            urgency=cat.default_urgency,
            channel=Request.Channel.WALK_IN,
        )
    resident.refresh_from_db()
    assert resident.name == "张桂兰"
    assert not resident.__class__.objects.filter(name="李大爷").exists()
    assert Request.objects.filter(description="楼道灯坏了").count() == 0
