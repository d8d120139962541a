"""Demo transfers (issue #21), seeded after the requests: a 果园新村 request offered to 集贤里 and waiting
(转移待接收), and one that 集贤里 accepted. Existing requests are used (the demo's counts
stay as they were); through the services, so timelines, messages and audit entries read as worked ones.
Idempotent: nothing is added once a transfer exists."""

from residents import services
from residents.models import Request, Transfer
from stations.models import Community, Station, User

GUOYUAN, JIXIANLI = "120113001", "120113002"
WAITING = (Request.Status.NEW, Request.Status.TRIAGED)


def _waiting_requests(station):
    # The newest requests waiting for triage the seeder made (not hotline or QR ones: their own stories).
    return list(
        Request.objects.filter(station=station, status__in=WAITING)
        .exclude(channel__in=[Request.Channel.HOTLINE, Request.Channel.QR])
        .order_by("-received_at", "-pk")[:2]
    )


def seed(*, options, rng, out):
    if Transfer.objects.exists():
        out.write("  transfers: already there")
        return
    stations = {s.code: s for s in Station.objects.filter(code__in=[GUOYUAN, JIXIANLI])}
    users = {u.username: u for u in User.objects.filter(username__in=["xupengze", f"st-{JIXIANLI}-1"])}
    waiting = _waiting_requests(stations[GUOYUAN]) if GUOYUAN in stations else []
    if len(stations) < 2 or len(users) < 2 or len(waiting) < 2:
        out.write("  transfers: 果园新村, 集贤里 or their requests are missing, nothing to seed")
        return
    jixianli = stations[JIXIANLI]
    head, other_head = users["xupengze"], users[f"st-{JIXIANLI}-1"]
    moved, not_ours = waiting
    services.propose_transfer(
        acting_user=head,
        request=moved,
        to_station=jixianli,
        reason="moved",
        reason_text="居民已搬至泰来西里社区",
    )
    transfer = services.propose_transfer(
        acting_user=head,
        request=not_ours,
        to_station=jixianli,
        reason="not_ours",
        reason_text="反映的楼栋属集贤里街道",
    )
    theirs = Community.objects.filter(street__station=jixianli).order_by("code").first()
    services.accept_transfer(
        acting_user=other_head, transfer=transfer, community=theirs, note="已接收，安排上门查看"
    )
    out.write("  transfers: 果园新村 → 集贤里, 1 pending and 1 accepted")
