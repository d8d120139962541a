"""The access matrix: every URL pattern of the project, for every kind of user, GET and POST.

`MATRIX` below is the one table of who gets what. Each entry names a URL pattern and the checks its view
makes, in the order it makes them (the order of its decorators, then its queryset), and what a user who
passes them all gets. A URL pattern without an entry fails `test_every_url_pattern_has_an_entry`, naming
the pattern: a new view cannot go live without someone deciding who may open it.

The people (`PEOPLE`) are the shared cast's: 果园新村's station worker and head, 北辰区's district centre,
the municipal centre, an admin, an auditor, a worker of another station (集贤里, same district), the
centre of another district (南开区) and an anonymous visitor. Every object in the URLs belongs to 果园新村
(tests/security/access_world.py), so "not yours" is a 404 and "not your role" a 403.

POSTs carry an empty form: enough to prove who is let in (the allowed get the form's errors, a
redirect or the page) and that nobody refused changes anything (no audit row written).

The admin: its index, every app index and changelist, and the admin's own views are in the table; the
standard add/change/delete/history pages of each ModelAdmin are scoped per object and covered by the
apps' admin tests (tests/*/test_admin.py), so they are delegated here (`delegated_admin_patterns`). A
custom admin view is not standard and needs an entry.
"""

import datetime
from dataclasses import dataclass, field, replace

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from stations.audit import AuditLogEntry
from stations.models import Station
from tests.security.access_world import world_fixture  # noqa: F401  (the `world` data set, once a module)

# --- The people ------------------------------------------------------------------------------------
ANON = "anonymous"
WORKER = "station worker"  # 李静, 果园新村
HEAD = "station head"  # 徐芃泽, 果园新村
DISTRICT = "district centre"  # 北辰区
CITY = "municipal centre"
ADMIN = "admin"
AUDITOR = "auditor"
OTHER_STATION = "worker of another station"  # 王海, 集贤里 (北辰区)
OTHER_DISTRICT = "centre of another district"  # 南开区
COMMUNITY = "community staff"  # 朝阳里社区居委会 (果园新村's community)
VOLUNTEER = "volunteer reporter"  # 果园新村's 信息员
EVALUATOR = "third-party evaluator"  # appointed to 果园新村's evaluation of this year, nothing else

PEOPLE = {
    ANON: None,
    WORKER: "worker2",
    HEAD: "worker",
    DISTRICT: "district_user",
    CITY: "city_user",
    ADMIN: "admin_user",
    AUDITOR: "auditor",
    OTHER_STATION: "other_worker",
    OTHER_DISTRICT: "other_district_user",
    COMMUNITY: "community_staff",
    VOLUNTEER: "volunteer_reporter",
    EVALUATOR: "evaluator",
}
EVERYONE = frozenset(PEOPLE)
LOGGED_IN = EVERYONE - {ANON}

STATION_STAFF = frozenset({WORKER, HEAD, OTHER_STATION})
REPORTERS = frozenset({COMMUNITY, VOLUNTEER})  # they report needs and follow their own reports only
DISTRICT_STAFF = frozenset({DISTRICT, OTHER_DISTRICT})
CITY_WIDE = frozenset({CITY, ADMIN})
# Who may read 果园新村's records, and who may change them (station staff of 果园新村, and admins).
READS_OWN = frozenset({WORKER, HEAD, DISTRICT, CITY, ADMIN})
OWN_STAFF = frozenset({WORKER, HEAD})
EDITS_OWN = OWN_STAFF | {ADMIN}
READS_BEICHEN = frozenset({DISTRICT, CITY, ADMIN})
# Who reads the world's case (casework's confidentiality rule): its lead worker, her head, the supervisor.
CASE_READERS = frozenset({WORKER, HEAD, DISTRICT})
# Django admin: staff accounts as the demo sets them up (centres with their groups, the admin).
STAFF = frozenset({DISTRICT, OTHER_DISTRICT, CITY, ADMIN})
STATIONS_ADMIN_READERS = STAFF  # view permission on the hierarchy, stations and staff

# --- Answers ---------------------------------------------------------------------------------------
LOGIN = "302 to /login/"
ADMIN_LOGIN = "302 to /admin/login/"


@dataclass(frozen=True)
class Check:
    """One check a view makes: the people it turns away, and what they get."""

    refused: frozenset
    answer: object
    methods: frozenset = frozenset()  # a method check: the methods it lets through
    on: frozenset = frozenset({"GET", "POST"})  # the methods the check is made for

    def refuses(self, who, method):
        if self.methods:
            return method not in self.methods
        return method in self.on and who in self.refused


def login():
    return Check(frozenset({ANON}), LOGIN)


def role(allowed):
    """`access.role_required`: 403 for the other logged-in people."""
    return Check(LOGGED_IN - allowed, 403)


def scope(allowed):
    """`get_visible_or_404` / `get_editable_or_404`: the object is a 404 for the others."""
    return Check(EVERYONE - allowed, 404)


def methods(*allowed):
    return Check(frozenset(), 405, frozenset(allowed))


def redirects(people, on=("GET", "POST")):
    return Check(frozenset(people), 302, on=frozenset(on))


def admin_site(allowed=STAFF):
    """`admin.site.admin_view` and the ModelAdmin's permissions: the login page for non-staff, 403 for
    staff without the permission."""
    return (Check(EVERYONE - STAFF, ADMIN_LOGIN), Check(STAFF - allowed, 403))


@dataclass(frozen=True)
class Rule:
    checks: tuple
    get: object  # what GET gives whoever passes every check
    post: object
    urls: object = None  # callable(world) -> list of kwargs dicts (named patterns) or of paths
    paths: bool = False  # `urls` gives paths (unnamed patterns), not kwargs

    def expected(self, who, method):
        for check in self.checks:
            if check.refuses(who, method):
                return check.answer
        return self.get if method == "GET" else self.post


def page(*checks, get=200, post=200, urls=None, paths=False):
    flat = []
    for check in checks:
        flat.extend(check if isinstance(check, tuple) else [check])
    return Rule(tuple(flat), get, post, urls, paths)


# --- URL arguments: objects of 果园新村 from the data set -----------------------------------------------
def pk(name):
    return lambda w: [{"pk": getattr(w.own, name).pk}]


def this_month():
    today = timezone.localdate()
    return {"year": today.year, "month": today.month}


def station_pk(w):
    return [{"pk": w.own.station.pk}]


def beichen_pk(w):
    return [{"pk": w.beichen.pk}]


def station_formats(w):
    return [{"pk": w.own.station.pk, "fmt": fmt} for fmt in ("csv", "xlsx")]


def district_formats(w):
    return [{"pk": w.beichen.pk, "fmt": fmt} for fmt in ("csv", "xlsx")]


def community_code(w):
    return [{"code": w.own.community.code}]


def station_month(w):
    return [{"pk": w.own.station.pk, **this_month()}]


def district_month(w):
    return [{"pk": w.beichen.pk, **this_month()}]


def late_permit(w):
    """A late-entry request of 果园新村 for last month (locked)."""
    from stations.models import LateEntryPermit, LockedMonth

    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    LockedMonth.objects.get_or_create(
        station=w.own.station, month=month, defaults={"locked_by": w.users.worker2}
    )
    permit, _ = LateEntryPermit.objects.get_or_create(
        station=w.own.station, month=month, defaults={"reason": "漏录", "requested_by": w.users.worker}
    )
    return [{"pk": permit.pk}]


def referral(w):
    return [{"pk": w.own.referred.pk, "referral_pk": w.own.referral.pk}]


def submitted_plan(w):
    return [{"pk": w.own.submitted_plan.pk}]


def super_case(w):
    return [{"pk": w.own.supervision.case.pk}]


def super_session(w):
    return [{"pk": w.own.supervision.session.pk}]


def super_action_item(w):
    return [{"pk": w.own.supervision.action_item.pk}]


def list_exports(w):
    names = ("requests", "residents", "visits", "projects", "activities", "resources")
    return [{"name": name, "fmt": fmt} for name in names for fmt in ("csv", "xlsx")]


def view_on_site(w):
    return [{"content_type_id": ContentType.objects.get_for_model(Station).pk, "object_id": w.own.station.pk}]


def import_job(w):
    return [{"pk": w.import_job.pk}]


def own_assignment(w):
    return [{"pk": w.users.worker.assignments.order_by("pk").first().pk}]


def own_worker(w):
    return [{"id": w.users.worker.pk}]


def own_totp_device(w):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get_or_create(
        user=w.users.worker, name="matrix", defaults={"confirmed": True}
    )
    return [{"pk": device[0].pk}]


def outbox_message(w):
    from notifications.models import OutboxMessage

    message, _ = OutboxMessage.objects.get_or_create(
        key="matrix", defaults={"channel": "sms", "address": "13820135678", "body": "…", "status": "dead"}
    )
    return [{"object_id": message.pk}]


def own_notification(w):
    return [{"pk": w.notification.pk}]


def own_fund_entry(w):
    entry = w.own.fund.entries.order_by("pk").first()
    return [{"pk": w.own.fund.pk, "entry_pk": entry.pk}]


def own_activity_owner(w):
    return [{"owner_type": "projects.activity", "owner_id": w.own.activity.pk}]


# Casework, closing work (cwclose): a case of 果园新村 at the stage each page needs, its lead 李静 (the
# station worker), its head 徐芃泽; 北辰区's designated supervisor reads it (other centres: 404).
def _closing_case(w, stage, risk="low"):
    from casework.models import Case
    from tests.casework.factories import make_case

    case = Case.objects.filter(reference=f"MATRIX-{stage}-{risk}").first()
    return case or make_case(
        w.own.station,
        w.own.resident,
        w.users.worker2,
        stage=stage,
        risk=risk,
        reference=f"MATRIX-{stage}-{risk}",
    )


def closing_case(stage):
    return lambda w: [{"pk": _closing_case(w, stage).pk}]


def pending_closure(w):
    from casework.models import Closure

    case = _closing_case(w, "closing")
    closure = Closure.objects.filter(case=case).first() or Closure.objects.create(
        case=case, reason="goals_met", summary="目标达成", requested_by=w.users.worker2
    )
    return [{"pk": closure.pk}]


def approved_closure(w):
    from casework.models import Closure

    case = _closing_case(w, "closed")
    closure = Closure.objects.filter(case=case).first() or Closure.objects.create(
        case=case, reason="goals_met", summary="目标达成", requested_by=w.users.worker2, status="approved"
    )
    return [{"pk": closure.pk}]


def case_task(w):
    from casework.models import CaseTask

    case = _closing_case(w, "intervention")
    task = CaseTask.objects.filter(case=case).first() or CaseTask.objects.create(
        case=case,
        title="电话回访",
        owner=w.users.worker2,
        due_on=timezone.localdate(),
        created_by=w.users.worker2,
    )
    return [{"pk": task.pk}]


def case_party(w):
    from casework.models import CaseParty

    party = CaseParty.objects.filter(case=w.own.case).first() or CaseParty.objects.create(
        case=w.own.case, name="刘建国", relation="父亲", is_guardian=True
    )
    return [{"pk": w.own.case.pk, "party_pk": party.pk}]


# 五社联动 (partners): a request of 果园新村 referred to its registered partner, with a consent; a use.
def _partner_referral(w):
    from partners.models import Partner, PartnerReferral
    from tests.partners import factories as partner_factories

    found = PartnerReferral.objects.filter(station=w.own.station, contact_name="矩阵对接人").first()
    if found:
        return found
    partner = Partner.objects.create(
        station=w.own.station,
        name="矩阵合作伙伴",
        kind="charity",
        contact_name="矩阵对接人",
        contact_phone="13820009999",
    )
    request = partner_factories.make_request(w.users.worker, w.own.community, resident=w.own.resident)
    return partner_factories.refer(w.users.worker, request, partner)


def partner_referral(w):
    return [{"pk": _partner_referral(w).pk}]


def partner_consent(w):
    from tests.partners import factories as partner_factories

    pr = _partner_referral(w)
    consent = pr.consents.filter(withdrawn_at__isnull=True).first() or partner_factories.consent(
        w.users.worker, pr
    )
    return [{"pk": pr.pk, "consent_pk": consent.pk}]


def partner_link_token(w):
    from tests.partners import factories as partner_factories

    _link, token = partner_factories.new_link(_partner_referral(w))
    return [{"token": token}]


def resource_use(w):
    from partners.models import ResourceUse

    pr = _partner_referral(w)
    use = ResourceUse.objects.filter(request=pr.request).first() or ResourceUse.objects.create(
        station=w.own.station,
        partner=pr.partner,
        request=pr.request,
        kind="money",
        amount="100.00",
        created_by=w.users.worker,
    )
    return [{"pk": use.pk}]


def _record_use(w):
    """A service record of the intervention case, which used the world's partner (五社联动)."""
    from casework.models import ServiceRecord
    from partners.models import ResourceUse

    case = _closing_case(w, "intervention")
    record = ServiceRecord.objects.filter(case=case).first() or ServiceRecord.objects.create(
        case=case,
        station=case.station,
        form="phone",
        duration_minutes=10,
        content="电话",
        worker=w.users.worker2,
    )
    use = ResourceUse.objects.filter(service_record=record).first() or ResourceUse.objects.create(
        station=case.station,
        partner=_partner_referral(w).partner,
        service_record=record,
        kind="service",
        created_by=w.users.worker2,
    )
    return {"pk": case.pk, "record_pk": record.pk, "use_pk": use.pk}


def record_uses(w):
    found = _record_use(w)
    return [{"pk": found["pk"], "record_pk": found["record_pk"]}]


def record_use(w):
    return [_record_use(w)]


CASE_WORKERS = OWN_STAFF  # the lead (李静) and the station head; a supervisor reads but does not work
SUPERVISOR_READS = Check(frozenset({DISTRICT}), 403)  # 北辰区's supervisor reads a case, works none of it


REQUEST_ACTIONS = [
    "triage",
    "assign",
    "start",
    "refer",
    "resolve",
    "follow-up",
    "reopen",
    "withdraw",
    "reject",
]
REQUEST_ACTIONS += ["note"]

# Casework (cwopen): who reads 果园新村's case, who works it, and the steps on it.
CASE_STEPS = [
    "case-party-add",
    "case-consent",
    "case-accept",
    "case-decline",
    "case-workers",
    "case-share",
    "assessment-start",
    "plan-start",
]


def open_case_paths(w):
    return [f"{reverse('casework:case-open')}?resident={w.own.resident.pk}"]


# --- THE MATRIX ------------------------------------------------------------------------------------
# URL name → the checks its view makes, in order, and what GET and POST give whoever passes them.
MATRIX = {
    # Composition, login and language
    "home": page(login(), get=302, post=302),  # each role to its own start page
    "login": page(redirects(LOGGED_IN), get=200, post=200),
    "logout": page(methods("POST"), post=302),
    "set_language": page(get=302, post=302),
    # Stations
    "stations:station-detail": page(login(), scope(READS_OWN), urls=station_pk),
    "stations:district-list": page(login(), role(CITY_WIDE)),
    "stations:district-detail": page(login(), scope(READS_BEICHEN), urls=beichen_pk),
    # Residents registry
    # Pages that only read (lists, dashboards, reports, exports) take GET and HEAD only: a POST is 405 for
    # everybody, before any other check.
    "residents:resident-list": page(methods("GET"), login()),  # each sees their own scope (auditor: none)
    "residents:resident-create": page(login(), role(STATION_STAFF)),
    "residents:resident-search": page(methods("GET"), login(), role(STATION_STAFF), get=302),  # htmx only
    # Exact lookup by a whole ID number (POSTed, never in a URL), within each user's own scope.
    "residents:resident-lookup": page(methods("POST"), login(), post=302),
    "residents:held-id-numbers": page(methods("GET"), login(), role(STAFF)),  # each district its own
    "residents:resident-detail": page(login(), scope(READS_OWN), urls=pk("resident")),
    "residents:resident-edit": page(login(), role(STATION_STAFF), scope(OWN_STAFF), urls=pk("resident")),
    "residents:resident-reveal": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("resident")
    ),
    "residents:resident-phone": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=200, urls=pk("resident")
    ),
    # The care registry (issue #20): the visit list reads each user's own scope; the care page reads
    # like the resident's page; its steps and the visit log are the resident's station staff's.
    "residents:visit-due": page(methods("GET"), login()),
    # Importing the 台账 into one's own station (an empty POST: the form's errors, 400).
    "residents:registry-import": page(login(), role(STATION_STAFF), post=400),
    "residents:registry-import-template": page(methods("GET"), login(), role(STATION_STAFF)),
    # A registry import job: only its uploader (李静) opens it; her head and other stations get a 404.
    # The commit of a dry run that refused a row is refused (400) and writes nothing.
    "residents:registry-import-job": page(
        methods("GET"), login(), role(STATION_STAFF), scope({WORKER}), urls=import_job
    ),
    "residents:registry-import-job-commit": page(
        methods("POST"), login(), role(STATION_STAFF), scope({WORKER}), post=400, urls=import_job
    ),
    "residents:resident-care": page(methods("GET"), login(), scope(READS_OWN), urls=pk("resident")),
    **{
        f"residents:{name}": page(
            methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("resident")
        )
        for name in ("resident-tier", "resident-status-add", "resident-household")
    },
    "residents:visit-log": page(
        login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("resident")
    ),
    # Requests: queue, intake, case page, workflow steps
    "residents:request-queue": page(methods("GET"), login()),
    "residents:intake": page(login(), role(STATION_STAFF), post=400),
    "residents:intake-duplicates": page(login(), role(STATION_STAFF)),
    "residents:request-detail": page(login(), scope(READS_OWN), urls=pk("request")),
    "residents:request-phone": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=200, urls=pk("request")
    ),
    # A leaving worker's open requests, handed to a colleague: the station's staff and admins.
    "residents:handover": page(login(), scope(OWN_STAFF | {DISTRICT, ADMIN}), urls=own_assignment),
    # Transfers between stations (issue #21): the inbox for station staff and the centres; proposing is
    # 果园新村's staff's; deciding the receiver's (集贤里, the sender, sees it: 403); withdrawing the
    # sender's (集贤里, the receiver: 403); dispatch is 北辰区's centre's (and admins').
    "residents:transfer-inbox": page(
        methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF | CITY_WIDE)
    ),
    "residents:transfer-propose": page(login(), role(STATION_STAFF), scope(OWN_STAFF), urls=pk("request")),
    "residents:resident-transfer-propose": page(
        login(), role(STATION_STAFF), scope(OWN_STAFF), urls=pk("resident")
    ),
    "residents:transfer-decide": page(
        login(),
        role(STATION_STAFF),
        scope(STATION_STAFF),
        Check(frozenset({OTHER_STATION}), 403),
        urls=lambda w: [{"pk": w.own.transfer_in.pk}],
    ),
    "residents:transfer-cancel": page(
        methods("POST"),
        login(),
        role(STATION_STAFF),
        scope(STATION_STAFF),
        Check(frozenset({OTHER_STATION}), 403),
        post=302,
        urls=lambda w: [{"pk": w.own.transfer_out.pk}],
    ),
    "residents:request-dispatch": page(
        login(), role(DISTRICT_STAFF | {ADMIN}), scope(READS_BEICHEN - {CITY}), urls=pk("request")
    ),
    # The reporters' pages (issue #21): 上报需求 and 我上报的, theirs alone.
    "reporting:mine": page(methods("GET"), login(), role(REPORTERS)),
    "reporting:new": page(login(), role(REPORTERS)),
    **{
        f"residents:request-{action}": page(
            methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("request")
        )
        for action in REQUEST_ACTIONS
    },
    "residents:referral-outcome": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=referral
    ),
    # 五社联动 (partners): the registry, referrals to partners with consent, resources used
    "partners:partner-list": page(methods("GET"), login()),
    "partners:partner-sync": page(methods("POST"), login(), role(STATION_STAFF), post=302),
    "partners:refer": page(login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("request")),
    "partners:referral-detail": page(methods("GET"), login(), scope(READS_OWN), urls=partner_referral),
    "partners:referral-slip": page(methods("GET"), login(), scope(READS_OWN), urls=partner_referral),
    "partners:consent-create": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=partner_referral
    ),
    "partners:consent-withdraw": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=302, urls=partner_consent
    ),
    "partners:request-use-add": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("request")
    ),
    "partners:activity-use-add": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("activity")
    ),
    "partners:use-remove": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=resource_use
    ),
    # The partner's answer link: public, but only with a valid token (a wrong one is a 404: tests/partners)
    "partner_link:answer": page(post=400, urls=partner_link_token),
    "partner_link:thanks": page(methods("GET")),
    # The 五社联动 report (sws composes it): a station's, a district's, the city's
    "five_forces:index": page(methods("GET"), login(), Check(frozenset({AUDITOR}), 403), get=302),
    "five_forces:station": page(methods("GET"), login(), scope(READS_OWN), urls=station_pk),
    "five_forces:station-xlsx": page(methods("GET"), login(), scope(READS_OWN), urls=station_pk),
    "five_forces:district": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=beichen_pk
    ),
    "five_forces:district-xlsx": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=beichen_pk
    ),
    "five_forces:city": page(methods("GET"), login(), role(CITY_WIDE)),
    "five_forces:city-xlsx": page(methods("GET"), login(), role(CITY_WIDE)),
    # Public QR pages (no account) and the posters
    "public:intake": page(urls=community_code),
    "public:intake-done": page(methods("GET"), get=302, urls=community_code),  # no token: back to the form
    "public:status": page(),
    "public:poster-list": page(login(), role(STATION_STAFF)),
    "public:poster": page(login(), role(STATION_STAFF), scope(OWN_STAFF), urls=community_code),
    "public:poster-qr": page(login(), role(STATION_STAFF), scope(OWN_STAFF), urls=community_code),
    # Service projects
    "projects:project-list": page(methods("GET"), login()),
    "projects:project-create": page(login(), role(STATION_STAFF)),
    "projects:project-detail": page(login(), scope(READS_OWN), urls=pk("project")),
    "projects:project-edit": page(login(), scope(EDITS_OWN), urls=pk("project")),
    "projects:project-resolve-requests": page(
        login(), methods("POST"), scope(EDITS_OWN), post=302, urls=pk("project")
    ),
    "projects:project-complete": page(
        methods("POST"), login(), scope(EDITS_OWN), post=302, urls=pk("project")
    ),
    # Request clusters: suggested to stations and districts; a station turns one into a project
    "projects:cluster-list": page(methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF)),
    "projects:cluster-project": page(methods("POST"), login(), role(STATION_STAFF), post=302),
    # Volunteers: read in scope; the phone, proofs and visit hours are the station's own staff's
    "projects:volunteer-list": page(methods("GET"), login()),
    "projects:volunteer-export": page(methods("GET"), login()),
    "projects:volunteer-create": page(login(), role(STATION_STAFF)),
    "projects:volunteer-detail": page(methods("GET"), login(), scope(READS_OWN), urls=pk("volunteer")),
    # An admin may reach the edit page (editable_by) but is sent back: a volunteer's teams are the station's
    "projects:volunteer-edit": page(login(), scope(EDITS_OWN), redirects({ADMIN}), urls=pk("volunteer")),
    "projects:volunteer-phone": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=200, urls=pk("volunteer")
    ),
    "projects:proof-issue": page(
        methods("POST"), login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("volunteer")
    ),
    "projects:proof-detail": page(methods("GET"), login(), scope(READS_OWN), urls=pk("proof")),
    "projects:visit-hours": page(login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("visit")),
    "projects:activity-list": page(methods("GET"), login()),
    "projects:activity-create": page(login(), role(STATION_STAFF)),
    "projects:activity-bulk": page(login(), role(STATION_STAFF)),
    "projects:activity-detail": page(login(), scope(READS_OWN), urls=pk("activity")),
    "projects:activity-edit": page(login(), scope(EDITS_OWN), urls=pk("activity")),
    # Attachments: uploading is the owner's editors' (404 for the rest, as its edit page); downloading is
    # for whoever reads the owner (logged); removing for the uploader (果园新村's head) or the head; an
    # empty POST lacks the confirmation (400).
    "attachments:upload": page(login(), scope(EDITS_OWN), post=400, urls=own_activity_owner),
    "attachments:download": page(methods("GET"), login(), scope(READS_OWN), urls=pk("attachment")),
    "attachments:remove": page(
        login(), scope(READS_OWN), Check(READS_OWN - {HEAD}, 403), post=400, urls=pk("attachment")
    ),
    "projects:fund-entry-detail": page(methods("GET"), login(), scope(READS_OWN), urls=own_fund_entry),
    "projects:resource-list": page(methods("GET"), login()),
    "projects:resource-create": page(login(), role(STATION_STAFF)),
    "projects:resource-detail": page(login(), scope(READS_OWN), urls=pk("resource")),
    "projects:resource-edit": page(login(), scope(EDITS_OWN), urls=pk("resource")),
    "projects:partner-list": page(methods("GET"), login()),
    "projects:partner-create": page(login(), role(STATION_STAFF)),
    "projects:partner-detail": page(login(), scope(READS_OWN), urls=pk("partner")),
    "projects:partner-edit": page(login(), scope(EDITS_OWN), urls=pk("partner")),
    "projects:group-list": page(methods("GET"), login()),
    "projects:team-create": page(login(), role(STATION_STAFF)),
    "projects:team-detail": page(login(), scope(READS_OWN), urls=pk("team")),
    "projects:team-edit": page(login(), scope(EDITS_OWN), urls=pk("team")),
    "projects:organisation-create": page(login(), role(STATION_STAFF)),
    "projects:organisation-detail": page(login(), scope(READS_OWN), urls=pk("organisation")),
    "projects:organisation-edit": page(login(), scope(EDITS_OWN), urls=pk("organisation")),
    "projects:fund-list": page(methods("GET"), login()),
    "projects:fund-create": page(login(), role(STATION_STAFF)),
    "projects:fund-detail": page(login(), scope(READS_OWN), urls=pk("fund")),
    "projects:fund-edit": page(login(), scope(EDITS_OWN), urls=pk("fund")),
    "projects:fund-entry-create": page(login(), methods("POST"), scope(EDITS_OWN), post=400, urls=pk("fund")),
    "projects:plan-list": page(methods("GET"), login()),
    "projects:plan-pending": page(methods("GET"), login()),
    "projects:plan-create": page(login(), role(STATION_STAFF)),
    "projects:plan-detail": page(login(), scope(READS_OWN), urls=pk("plan")),
    "projects:plan-edit": page(login(), scope(EDITS_OWN), urls=pk("plan")),
    "projects:plan-submit": page(
        login(), role(STATION_STAFF), methods("POST"), scope(OWN_STAFF), post=302, urls=pk("plan")
    ),
    # A submitted plan: its own district centre decides (a redirect back to the plan).
    "projects:plan-approve": page(
        login(), role(DISTRICT_STAFF), methods("POST"), scope({DISTRICT}), post=302, urls=submitted_plan
    ),
    "projects:plan-return": page(  # returning needs a comment: the empty form comes back (400)
        login(), role(DISTRICT_STAFF), methods("POST"), scope({DISTRICT}), post=400, urls=submitted_plan
    ),
    # Casework, closing work (cwclose): forms of a case's own workers (an empty POST: the form again, 400);
    # the closure decisions are POSTs back to the case (an empty form: a message and a redirect). The
    # world's 北辰区 centre is a designated supervisor (cwsuper): it reads the case, its forms are 403.
    # The case page (skeleton): its readers; a POST is the page again.
    **{
        f"casework:{name}": page(
            login(), scope(CASE_READERS), SUPERVISOR_READS, post=400, urls=closing_case(stage)
        )
        for name, stage in (
            ("service-record-new", "intervention"),
            ("evaluate", "intervention"),
            ("resume-intervention", "evaluation"),
            ("closure-request", "evaluation"),
            ("reopen", "closed"),
            ("case-review", "intervention"),
            ("task-new", "intervention"),
        )
    },
    **{
        f"casework:closure-{decision}": page(
            login(), methods("POST"), scope(CASE_READERS), post=302, urls=pending_closure
        )
        for decision in ("approve", "sign-off", "return")
    },
    # The partners' resources a service record used: the case's workers (an empty POST: the form, 400);
    # removal without its confirmation removes nothing and goes back to the list.
    "casework:record-uses": page(login(), scope(CASE_READERS), SUPERVISOR_READS, post=400, urls=record_uses),
    "casework:record-use-remove": page(
        methods("POST"), login(), scope(CASE_READERS), SUPERVISOR_READS, post=302, urls=record_use
    ),
    # A case's client referred to a partner (casereferral): the case's workers (an empty POST: the form, 400).
    "casework:refer-partner": page(
        login(), scope(CASE_READERS), SUPERVISOR_READS, post=400, urls=closing_case("intervention")
    ),
    "casework:closure-follow-up": page(
        login(), scope(CASE_READERS), SUPERVISOR_READS, post=400, urls=approved_closure
    ),
    "casework:task-done": page(
        login(), methods("POST"), scope(CASE_READERS), SUPERVISOR_READS, post=302, urls=case_task
    ),
    "casework:my-tasks": page(methods("GET"), login(), role(STATION_STAFF)),
    # Dashboards, reports and exports
    "dashboards:station": page(methods("GET"), login(), scope(READS_OWN), urls=station_pk),
    "dashboards:station-export": page(methods("GET"), login(), scope(READS_OWN), urls=station_formats),
    "dashboards:district": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=beichen_pk
    ),
    "dashboards:district-export": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=district_formats
    ),
    "dashboards:city": page(methods("GET"), login(), role(CITY_WIDE)),
    "dashboards:city-export": page(
        methods("GET"), login(), role(CITY_WIDE), urls=lambda w: [{"fmt": "csv"}, {"fmt": "xlsx"}]
    ),
    "reports:index": page(methods("GET"), login()),
    # The evaluator reads 果园新村's reports of the months her evaluation covers (this year's).
    "reports:station": page(methods("GET"), login(), scope(READS_OWN | {EVALUATOR}), urls=station_month),
    "reports:station-xlsx": page(methods("GET"), login(), scope(READS_OWN | {EVALUATOR}), urls=station_month),
    "reports:district": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=district_month
    ),
    "reports:district-xlsx": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=district_month
    ),
    "reports:city": page(methods("GET"), login(), role(CITY_WIDE), urls=lambda w: [this_month()]),
    "reports:city-xlsx": page(methods("GET"), login(), role(CITY_WIDE), urls=lambda w: [this_month()]),
    # The monthly cycle's steps (an empty form: the step is not named, back to the report with a message);
    # the report's scope first, then who may take any step of it (the head submits, the district reviews).
    "reports:station-cycle": page(
        methods("POST"),
        login(),
        scope(READS_OWN),
        Check(frozenset({WORKER, CITY, ADMIN}), 403),
        post=302,
        urls=station_month,
    ),
    "reports:district-cycle": page(
        methods("POST"),
        login(),
        role(DISTRICT_STAFF | CITY_WIDE),
        scope(READS_BEICHEN),
        post=302,
        urls=district_month,
    ),
    "reports:city-cycle": page(
        methods("POST"), login(), role(CITY_WIDE), post=302, urls=lambda w: [this_month()]
    ),
    "reports:district-submissions": page(
        methods("GET"), login(), role(DISTRICT_STAFF | CITY_WIDE), scope(READS_BEICHEN), urls=beichen_pk
    ),
    "reports:city-submissions": page(methods("GET"), login(), role(CITY_WIDE)),
    # 补录: station heads ask (an empty form: 400), the others read; the auditor is confined.
    "reports:late-entries": page(
        login(),
        role(STATION_STAFF | DISTRICT_STAFF | CITY_WIDE),
        Check(frozenset({WORKER, DISTRICT, OTHER_DISTRICT, CITY, ADMIN}), 403, on={"POST"}),
        post=400,
    ),
    "reports:late-entry-decide": page(
        methods("POST"), login(), role(DISTRICT_STAFF), scope(READS_BEICHEN), post=302, urls=late_permit
    ),
    "exports:list": page(methods("GET"), login(), urls=list_exports),  # rows of the user's own scope only
    # Two-factor login and the auditor's pages
    "security:password-change": page(login()),  # one's own password; an empty POST is the form again
    # A one-time link, for anyone holding it (no login); a bad one says so (200) and sets nothing.
    "security:password-link": page(urls=lambda w: [{"uidb64": "MQ", "token": "not-a-token"}]),
    "security:two-factor-enrol": page(login()),
    "security:two-factor-verify": page(login(), get=302, post=302),  # nobody here has a device: enrol
    "security:audit-changes": page(login(), role({AUDITOR})),
    "security:audit-access": page(login(), role({AUDITOR})),
    "security:audit-logins": page(login(), role({AUDITOR})),
    "security:audit-resident-lookup": page(login(), role({AUDITOR})),
    "security:audit-resident": page(
        login(), role({AUDITOR}), urls=lambda w: [{"resident_id": w.own.resident.pk}]
    ),
    # The job queue's health (JSON for monitoring): admins, or a token (tests/notifications/test_health.py).
    # The auditor is confined before the view (sws.security.middleware): 403 whatever the method.
    "health-jobs": page(Check(frozenset({AUDITOR}), 403), methods("GET"), login(), role({ADMIN})),
    # Probes (sws/health.py): for anyone, answered before login and the auditor's confinement; no personal
    # data (tests/sws/test_health.py). /metrics: 404 without METRICS_TOKEN or an allowed address.
    "healthz": page(methods("GET")),
    "readyz": page(methods("GET")),
    "metrics": page(Check(EVERYONE, 404)),
    # The inbox (站内消息): one's own messages
    "notifications:inbox": page(methods("GET"), login()),
    "notifications:badge": page(methods("GET"), login()),
    "notifications:read-all": page(methods("POST"), login(), post=302),
    "notifications:preferences": page(login(), post=400),  # empty: the choices
    "notifications:open": page(methods("GET"), login(), scope({WORKER}), get=302, urls=own_notification),
    "notifications:read": page(
        methods("POST"),
        login(),
        role(LOGGED_IN - {AUDITOR}),
        scope({WORKER}),
        post=302,
        urls=own_notification,
    ),
    # Casework (cwopen): 果园新村's case is 李静's (WORKER); its head reads every case of the station and
    # 北辰区's centre is a designated supervisor (督导); nobody else reads a case record (404), the
    # municipal centre and admins included. The steps are the case's workers' (a POST redirects back to
    # the case page with the outcome); the plan's review is asked of the service (who may decide).
    "casework:case-list": page(methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF)),
    "casework:case-detail": page(login(), scope(CASE_READERS), urls=pk("case")),
    # transfers2: a case's transfer. The lead (李静) or the head proposes; the receiving head decides.
    "casework:case-transfer-propose": page(
        login(), role(STATION_STAFF), scope(CASE_WORKERS), urls=pk("case")
    ),
    "casework:case-transfer-inbox": page(
        methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF | CITY_WIDE)
    ),
    "casework:case-transfer-decide": page(
        login(),
        role(STATION_STAFF),
        scope(STATION_STAFF),
        Check(frozenset({OTHER_STATION, WORKER}), 403),
        urls=lambda w: [{"pk": w.own.case_transfer_in.pk}],
    ),
    "casework:case-transfer-cancel": page(
        methods("POST"),
        login(),
        role(STATION_STAFF),
        scope(STATION_STAFF),
        Check(frozenset({OTHER_STATION}), 403),
        post=302,
        urls=lambda w: [{"pk": w.own.case_transfer_out.pk}],
    ),
    "casework:case-open": page(
        login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=open_case_paths, paths=True
    ),
    "casework:case-open-from-request": page(
        login(), role(STATION_STAFF), scope(OWN_STAFF), post=400, urls=pk("request")
    ),
    **{
        f"casework:{name}": page(
            methods("POST"), login(), role(STATION_STAFF), scope(CASE_WORKERS), post=302, urls=pk("case")
        )
        for name in CASE_STEPS
    },
    # A related person of the case (cwgaps): its own page to edit (an empty POST: the form again), and
    # removal, a step posted back to the case (an empty POST: no version, a message and a redirect).
    "casework:case-party-edit": page(
        login(), role(STATION_STAFF), scope(CASE_WORKERS), post=400, urls=case_party
    ),
    "casework:case-party-remove": page(
        methods("POST"), login(), role(STATION_STAFF), scope(CASE_WORKERS), post=302, urls=case_party
    ),
    # A submitted assessment and a plan awaiting approval read only: a POST is refused (400).
    "casework:assessment": page(login(), scope(CASE_READERS), post=400, urls=pk("assessment")),
    "casework:plan": page(login(), scope(CASE_READERS), post=400, urls=pk("case_plan")),
    "casework:plan-review": page(
        methods("POST"), login(), scope(CASE_READERS), post=302, urls=pk("case_plan")
    ),
    # Casework supervision (cwsuper). The world's district centres are designated supervisors (个案督导) of
    # their own districts; its case (李静's, high risk) is read by her, her head and 北辰区's supervisor.
    "casework:review-queue": page(methods("GET"), login(), role(DISTRICT_STAFF)),  # each its own district's
    "casework:supervision-note": page(
        methods("POST"), login(), scope(CASE_READERS), Check(OWN_STAFF, 403), post=400, urls=super_case
    ),
    "casework:session-list": page(methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF)),
    "casework:session-create": page(login(), role(DISTRICT_STAFF)),  # no station chosen: the first step
    "casework:session-detail": page(
        methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF), scope(CASE_READERS), urls=super_session
    ),
    # Its owner (李静), her head and the district's supervisor; an empty form (no version) is a 400.
    "casework:action-item-done": page(
        methods("POST"),
        login(),
        role(STATION_STAFF | DISTRICT_STAFF),
        scope(CASE_READERS),
        post=400,
        urls=super_action_item,
    ),
    # The case's workers and head record conferences; the supervisor reads the case, may not (403).
    "casework:conference-create": page(
        login(), scope(CASE_READERS), Check(frozenset({DISTRICT}), 403), post=400, urls=super_case
    ),
    # Django admin: the site's own views
    "admin:index": page(admin_site()),
    "admin:app_list": page(
        admin_site(), urls=lambda w: [{"app_label": "stations"}]
    ),  # every staff account keeps part of the hierarchy
    "admin:login": page(redirects(STAFF, on=["GET"])),  # a POST is a new login attempt
    "admin:logout": page(redirects(EVERYONE - STAFF), methods("POST"), post=302),  # others: to the index
    "admin:password_change": page(admin_site()),
    "admin:password_change_done": page(admin_site(), methods("GET")),
    "admin:autocomplete": page(admin_site(), methods("GET"), get=403),  # without a field to complete
    "admin:jsi18n": page(admin_site(), methods("GET")),
    "admin:view_on_site": page(admin_site(), get=302, post=302, urls=view_on_site),
    "admin/(?P<url>.*)$": page(
        admin_site(), get=404, post=404, urls=lambda w: ["/admin/no-such-page/"], paths=True
    ),
    # Django admin: custom views of ModelAdmins
    "admin:auth_user_password_change": page(
        admin_site({DISTRICT, OTHER_DISTRICT, ADMIN}), scope({DISTRICT, ADMIN}), urls=own_worker
    ),
    # OTP_ADMIN_HIDE_SENSITIVE_DATA: nobody reads a device's key in the admin, superusers included.
    "admin:otp_totp_totpdevice_config": page(admin_site(frozenset()), urls=own_totp_device),
    "admin:otp_totp_totpdevice_qrcode": page(admin_site(frozenset()), urls=own_totp_device),
    # A dead letter sent again (the change page's button): city admins, POST only.
    "admin:notifications_outboxmessage_retry": page(
        admin_site(frozenset({ADMIN})), methods("POST"), post=302, urls=outbox_message
    ),
}


# --- Casework (cwfile): the printable case file and the case register ---------------------------------
MATRIX |= {
    "casework:case-file": page(methods("GET"), login(), scope(CASE_READERS), urls=pk("case")),
    # The register: those who read cases at all (station staff, the district's supervisors), each their own.
    "exports:case-register": page(methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF)),
}

# The 12345 hotline (issue #19). Pages: the work order's answers (its station's staff), the 未能定位 queue,
# dispatch and extension decisions (the district centre of the order's district).
HOTLINE_ANSWERS = ["sign", "return", "extend", "reply"]
MATRIX |= {
    "hotline:unplaced": page(methods("GET"), login(), role(DISTRICT_STAFF)),
    "hotline:dispatch": page(
        methods("POST"),
        login(),
        role(DISTRICT_STAFF),
        scope({DISTRICT}),
        post=302,
        urls=lambda w: [{"pk": w.hotline.unplaced.pk}],
    ),
    "hotline:answer": page(
        methods("POST"),
        login(),
        role(STATION_STAFF),
        scope(OWN_STAFF),
        post=302,
        urls=lambda w: [{"pk": w.hotline.placed.pk, "action": action} for action in HOTLINE_ANSWERS],
    ),
    "hotline:decide": page(
        methods("POST"),
        login(),
        role(DISTRICT_STAFF),
        scope({DISTRICT}),
        post=302,
        urls=lambda w: [{"pk": w.hotline.extension.pk}],
    ),
}
# The API: API keys only, so a session (anyone's) is a 401 before the method is looked at; the schema and
# its docs page are public. Open311: the category list and a request's public status are public, posting
# needs the standard's api_key (403 without). Tests: tests/hotline/.
NO_API_KEY = Check(EVERYONE, 401)
MATRIX |= {
    "api:work-orders": page(NO_API_KEY),
    "api:work-order": page(NO_API_KEY, urls=lambda w: [{"ticket_no": w.hotline.placed.ticket_no}]),
    "api:work-order-satisfaction": page(
        NO_API_KEY, urls=lambda w: [{"ticket_no": w.hotline.placed.ticket_no}]
    ),
    "api:schema": page(methods("GET")),
    "api:docs": page(methods("GET")),
    "open311:services": page(methods("GET")),
    "open311:requests": page(post=403),
    "open311:request": page(
        methods("GET"),
        urls=lambda w: [{"service_request_id": f"{w.own.request.reference}-{w.own.request.lookup_code}"}],
    ),
}

# The auditor reads the audit trail and nothing else (sws.security.middleware.AuditorConfinementMiddleware):
# every page of these apps is a 403 for them before any other check (a POST too, and an object that does
# not exist). The auditor's answers in the entries above are overridden by this.
AUDITOR_CLOSED = (
    "evaluation",
    "residents",
    "reporting",
    "projects",
    "dashboards",
    "reports",
    "exports",
    "stations",
    "notifications",
    "attachments",
    "casework",
    "hotline",
    "api",
    "open311",
    "partners",
    "partner_link",
    "five_forces",
)


def auditor_closed(rule):
    return replace(rule, checks=(Check(frozenset({AUDITOR}), 403), *rule.checks))


# The probes are answered before any confinement (sws.health.HealthMiddleware comes first): the
# evaluator's and the reporters' rules below leave them as they are.
PROBES = ("healthz", "readyz", "metrics")

# A third-party evaluator reads her evaluations, their evidence and their stations' monthly reports, and
# nothing else (sws.security.middleware.EvaluatorConfinementMiddleware): every other page is a 403 first.
EVALUATOR_OPEN = ("evaluation", "attachments", "notifications", "security", "public", "admin")
EVALUATOR_OPEN_NAMES = ("home", "login", "logout", "set_language")


def evaluator_closed(key, rule):
    namespace = key.split(":")[0] if ":" in key else None
    if (
        (namespace in EVALUATOR_OPEN or key in ("reports:station", "reports:station-xlsx"))
        or key in EVALUATOR_OPEN_NAMES + PROBES
        or key.startswith("admin/")
    ):
        return rule
    return replace(rule, checks=(Check(frozenset({EVALUATOR}), 403), *rule.checks))


# Importing the hotline's spreadsheet of work orders: district centres (their district) and admins; the
# auditor is confined before the view, as everywhere outside the audit pages.
# 考核评估 (issue #22): 果园新村's evaluation, in scoring; its evaluator and 北辰区 score, its head answers
# only once it is sent to the station; a step refused by the rules is a 403, an empty form a redirect
# back with the message.
READS_EVALUATION = READS_OWN | {EVALUATOR}
SCORERS = frozenset({DISTRICT, EVALUATOR})


def evaluation_pk(w):
    return [{"pk": w.own.evaluation.pk}]


def evaluation_score(w):
    return [{"pk": w.own.evaluation.pk, "score_pk": w.own.score.pk}]


def evaluation_item(w):
    return [{"pk": w.own.evaluation.pk, "item_pk": w.own.rectification.pk}]


def evaluation_step(allowed):
    return page(
        methods("POST"),
        login(),
        scope(READS_EVALUATION),
        Check(READS_EVALUATION - allowed, 403),
        post=302,
        urls=evaluation_pk,
    )


MATRIX |= {
    "evaluation:list": page(
        methods("GET"), login(), role(STATION_STAFF | DISTRICT_STAFF | CITY_WIDE | {EVALUATOR})
    ),
    "evaluation:open": page(login(), role(DISTRICT_STAFF), post=400),
    "evaluation:detail": page(methods("GET"), login(), scope(READS_EVALUATION), urls=evaluation_pk),
    "evaluation:print": page(methods("GET"), login(), scope(READS_EVALUATION), urls=evaluation_pk),
    "evaluation:xlsx": page(methods("GET"), login(), scope(READS_EVALUATION), urls=evaluation_pk),
    "evaluation:recompute": evaluation_step(SCORERS),
    "evaluation:send": evaluation_step(SCORERS),
    # Not in their state yet (scoring): refused to everyone who sees it.
    "evaluation:submit": evaluation_step(frozenset()),
    "evaluation:return": evaluation_step(frozenset()),
    "evaluation:approve": evaluation_step(frozenset()),
    "evaluation:score": page(
        methods("POST"),
        login(),
        scope(READS_EVALUATION),
        Check(READS_EVALUATION - SCORERS, 403),
        post=302,
        urls=evaluation_score,
    ),
    "evaluation:respond": page(
        methods("POST"),
        login(),
        scope(READS_EVALUATION),
        Check(READS_EVALUATION, 403),
        urls=evaluation_score,
    ),
    "evaluation:rectification-add": page(
        methods("POST"), login(), scope(READS_EVALUATION), Check(READS_EVALUATION, 403), urls=evaluation_pk
    ),
    # Its owner (李静) or her head report it done; nobody decides an item not reported yet.
    "evaluation:rectification-report": page(
        methods("POST"),
        login(),
        scope(READS_EVALUATION),
        Check(READS_EVALUATION - OWN_STAFF, 403),
        post=302,
        urls=evaluation_item,
    ),
    "evaluation:rectification-decide": page(
        methods("POST"), login(), scope(READS_EVALUATION), Check(READS_EVALUATION, 403), urls=evaluation_item
    ),
}

MATRIX |= {key: auditor_closed(rule) for key, rule in MATRIX.items() if key.split(":")[0] in AUDITOR_CLOSED}
MATRIX |= {
    "hotline:import": auditor_closed(page(login(), role(DISTRICT_STAFF | {ADMIN}), post=400)),
    "hotline:import-template": auditor_closed(page(methods("GET"), login(), role(DISTRICT_STAFF | {ADMIN}))),
}

# Changelists: who may open each (model permissions); every changelist of the project must be here.
CHANGELISTS = {
    **{
        f"stations_{model}": STATIONS_ADMIN_READERS
        for model in ("district", "street", "community", "operator", "station", "assignment", "certificate")
    },
    "stations_user": STATIONS_ADMIN_READERS,
    "stations_municipality": frozenset({CITY, ADMIN}),
    "stations_calendarday": frozenset({ADMIN}),  # the working-day calendar (stations/workdays.py)
    **{
        f"residents_{model}": frozenset({ADMIN})
        for model in (
            "vulnerabilitytag",
            "category",
            "responsetarget",
            "resident",
            "request",
            "timelineevent",
            "residentevent",
            "referral",
            # The care registry (issue #20)
            "supportstatustype",
            "visitrule",
            "risktierrule",
            "household",
            "supportstatus",
            "visitplan",
            "risktierchange",
            "visit",
        )
    },
    **{
        f"projects_{model}": frozenset({ADMIN})
        for model in (
            "targetgroup",
            "project",
            "activity",
            "partner",
            "resource",
            "volunteerteam",
            "communityorganisation",
            "communityfund",
            "annualplan",
        )
    },
    # The audit trail, login records and security policy: superusers only (read-only).
    **{
        f"stations_{model}": frozenset({ADMIN})
        for model in ("auditlogentry", "personaldataaccess", "rolepolicy")
    },
    **{f"axes_{model}": frozenset({ADMIN}) for model in ("accesslog", "accessfailurelog", "accessattempt")},
    "notifications_messagetemplate": frozenset({ADMIN}),
    "attachments_attachment": frozenset({ADMIN}),  # read-only, scoped (tests/attachments/test_admin.py)
    "partners_partner": frozenset({ADMIN}),  # the registry, scoped (tests/partners/test_registry.py)
    "auth_group": frozenset({ADMIN}),
    # Outbound messages, SMS opt-outs and the periodic jobs' runs: city admins only.
    **{f"notifications_{model}": frozenset({ADMIN}) for model in ("outboxmessage", "smsoptout", "jobrun")},
    "otp_totp_totpdevice": frozenset({ADMIN}),
    # 考核评估: indicator sets and service contracts are kept by admins (issue #22).
    **{f"sws_{model}": frozenset({ADMIN}) for model in ("indicatorset", "indicator", "servicecontract")},
    # The hotline's tables, keys, call log and work orders: admins (issue #19).
    **{
        f"hotline_{model}": frozenset({ADMIN})
        for model in ("apikey", "apicall", "deadlinerule", "hotlinecategory", "workorder", "workorderimport")
    },
}
MATRIX |= {f"admin:{name}_changelist": page(admin_site(allowed)) for name, allowed in CHANGELISTS.items()}

# The reporters (居委会 staff, volunteer reporters) are confined as the auditor is
# (sws.security.middleware): outside their own pages, the public pages, their account's pages and the
# admin's login, every page is a 403 before any other check, whatever the method.
REPORTER_NAMESPACES = ("reporting", "public", "security", "admin")
REPORTER_URL_NAMES = ("home", "login", "logout", "set_language")


def reporter_closed(key):
    if key.startswith("admin/"):
        return False  # the admin's catch-all: its login page, as for anyone who is not staff
    if ":" in key:
        return key.split(":")[0] not in REPORTER_NAMESPACES
    return key not in REPORTER_URL_NAMES + PROBES


MATRIX |= {
    key: replace(rule, checks=(Check(REPORTERS, 403), *rule.checks))
    for key, rule in MATRIX.items()
    if reporter_closed(key)
}


MATRIX = {key: evaluator_closed(key, rule) for key, rule in MATRIX.items()}


# --- Walking the URL patterns ----------------------------------------------------------------------
def url_patterns(resolver=None, namespace=None, prefix=""):
    """(key, route) of every pattern, through every include: `namespace:name`, or the route when the
    pattern has no name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from url_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def delegated_admin_patterns():
    """The standard add/change/delete/history pages (and the bare object URL that redirects to change)
    of every registered ModelAdmin: keys of the patterns stock `ModelAdmin.get_urls` makes."""
    keys = set()
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        prefix = f"admin/{info[0]}/{info[1]}/"
        for pattern in admin.ModelAdmin.get_urls(model_admin):
            if pattern.name and pattern.name.endswith("_changelist"):
                continue  # changelists are in the matrix
            keys.add(f"admin:{pattern.name}" if pattern.name else prefix + str(pattern.pattern))
    return keys


def missing_entries(matrix):
    """The URL patterns neither in `matrix` nor standard admin pages, each with its route."""
    delegated = delegated_admin_patterns()
    return sorted(
        f"{key}  ({route})" for key, route in url_patterns() if key not in matrix and key not in delegated
    )


def test_every_url_pattern_has_an_entry():
    missing = missing_entries(MATRIX)
    assert not missing, (
        "URL patterns without an entry in tests/security/test_access_matrix.py MATRIX "
        "(decide who may open them, then add them):\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(MATRIX) - {key for key, _route in url_patterns()})
    assert not stale, "MATRIX entries for URL patterns that no longer exist: " + ", ".join(stale)


def test_a_pattern_without_an_entry_is_named():
    without = {key: rule for key, rule in MATRIX.items() if key not in ("residents:intake", "admin:index")}
    assert missing_entries(without) == [
        "admin:index  (admin/)",
        "residents:intake  (residents/requests/new/)",
    ]


def test_the_walk_reaches_every_include():
    """The walk goes through includes, namespaced and not (a guard on the guard above)."""
    keys = {key for key, _route in url_patterns()}
    assert {"home", "residents:request-triage", "public:intake", "admin:index", "set_language"} <= keys
    assert "admin:residents_resident_change" in delegated_admin_patterns()
    assert "admin:residents_resident_changelist" not in delegated_admin_patterns()
    assert "admin:auth_user_password_change" not in delegated_admin_patterns()


# --- Running the matrix ----------------------------------------------------------------------------
@dataclass
class Outcome:
    key: str
    path: str
    who: str
    method: str
    expected: object
    got: object
    notes: list = field(default_factory=list)

    def __str__(self):
        return f"{self.method} {self.path} as {self.who}: expected {self.expected}, got {self.got}"


def answer(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/login/?next="):
            return LOGIN
        if location.startswith("/admin/login/?next="):
            return ADMIN_LOGIN
    return response.status_code


def paths_for(key, rule, w):
    if rule.paths:
        return rule.urls(w)
    kwargs_list = rule.urls(w) if rule.urls else [{}]
    return [reverse(key, kwargs=kwargs) for kwargs in kwargs_list]


@pytest.fixture(scope="module")
def browsers():
    """One test client per person for the module (a client loads the middleware once)."""
    return {who: Client() for who in PEOPLE}


def logged_in(browsers, w):
    """The clients, each with a fresh session of its person (sessions live in the test's savepoint)."""
    for who, client in browsers.items():
        client.cookies.clear()
        if PEOPLE[who]:
            client.force_login(getattr(w.users, PEOPLE[who]))
    return browsers


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_access(key, world, browsers, db):
    rule = MATRIX[key]
    people = logged_in(browsers, world)
    wrong = []
    for path in paths_for(key, rule, world):
        for who, client in people.items():
            for method in ("GET", "POST"):
                expected = rule.expected(who, method)
                audit_rows = AuditLogEntry.objects.count()
                try:
                    response = client.get(path) if method == "GET" else client.post(path, {})
                except Exception as exc:  # a 500: report it with the others
                    wrong.append(Outcome(key, path, who, method, expected, f"{type(exc).__name__}: {exc}"))
                    continue
                got = answer(response)
                if got != expected:
                    wrong.append(Outcome(key, path, who, method, expected, got))
                elif got in (LOGIN, ADMIN_LOGIN, 403, 404, 405):
                    # Refused: nothing written.
                    assert AuditLogEntry.objects.count() == audit_rows, f"{method} {path} as {who} saved"
    assert not wrong, "\n".join(str(o) for o in wrong)


TAMPERED_IDS = [2**63, 10**30]  # one past the largest id a column holds, and far beyond


@pytest.mark.parametrize(
    "key", sorted(k for k, rule in MATRIX.items() if rule.urls and not rule.paths and k != "admin:app_list")
)
def test_an_enormous_id_in_the_url_is_not_a_server_error(key, world, browsers, db):
    """URL tampering with ids no row can have: refused like any missing object, never a 500 (SQLite
    cannot even compare such a number)."""
    people = logged_in(browsers, world)
    kwargs = MATRIX[key].urls(world)[0]
    wrong = []
    for huge in TAMPERED_IDS:
        tampered = {name: huge if isinstance(value, int) else value for name, value in kwargs.items()}
        path = reverse(key, kwargs=tampered)
        for who in (HEAD, ADMIN, AUDITOR, DISTRICT):
            for method in ("GET", "POST"):
                client = people[who]
                try:
                    response = client.get(path) if method == "GET" else client.post(path, {})
                except Exception as exc:
                    wrong.append(f"{method} {path} as {who}: {type(exc).__name__}: {exc}")
                    continue
                if response.status_code >= 500:
                    wrong.append(f"{method} {path} as {who}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_auditor_opens_the_audit_pages_and_no_case_page():
    """What the auditor may open at all: the audit pages, two-factor, home, login/logout (the admin's
    too), the language switch and the public QR intake and status pages; everything else is refused (a
    guard on the table: a case page opened to the auditor fails here)."""
    opened = sorted(
        key
        for key, rule in MATRIX.items()
        if {rule.expected(AUDITOR, "GET"), rule.expected(AUDITOR, "POST")} - {403, 404, 405, ADMIN_LOGIN}
    )
    assert opened == [
        "admin:login",  # the admin's login page (the auditor is no staff: nothing past it)
        "admin:logout",
        "healthz",  # the probes: no personal data, for anyone (sws/health.py)
        "home",
        "login",
        "logout",
        "public:intake",
        "public:intake-done",
        "public:status",
        "readyz",
        "security:audit-access",
        "security:audit-changes",
        "security:audit-logins",
        "security:audit-resident",
        "security:audit-resident-lookup",
        "security:password-change",
        "security:password-link",
        "security:two-factor-enrol",
        "security:two-factor-verify",
        "set_language",
    ]


def test_the_matrix_distinguishes_people(world, db):
    """The same URL answers differently by person: the data set's owner, outsider and roles are right."""
    rule = MATRIX["residents:resident-edit"]
    answers = {who: rule.expected(who, "GET") for who in PEOPLE}
    assert answers == {
        ANON: LOGIN,
        WORKER: 200,
        HEAD: 200,
        DISTRICT: 403,
        CITY: 403,
        ADMIN: 403,
        AUDITOR: 403,
        OTHER_STATION: 404,
        OTHER_DISTRICT: 403,
        COMMUNITY: 403,
        VOLUNTEER: 403,
        EVALUATOR: 403,
    }
    assert world.own.resident.community.street.station_id == world.users.worker.station_id
    assert world.users.other_worker.station_id != world.users.worker.station_id
    assert (
        world.own.station.district_id
        == world.users.district_user.district_id
        != (world.users.other_district_user.district_id)
    )


# --- What the lists and exports hold: nobody else's rows ------------------------------------------------
# The status code says a user may open a list or an export; it does not say which rows it holds. Every
# list and every export is read here as each person who may open it, and searched for 果园新村's records:
# its station and community names, its resident, its requests' reference numbers. A person who may read
# 果园新村 (READS_OWN) finds them in every export (so the search would see them); the others (a worker of
# 集贤里, the centre of 南开区) find none of them, on any list or in any export.
LISTS = [
    "residents:request-queue",
    "residents:resident-list",
    "projects:project-list",
    "projects:activity-list",
    "projects:resource-list",
    "projects:partner-list",
    "projects:group-list",
    "projects:volunteer-list",
    "projects:fund-list",
    "projects:plan-list",
    "projects:plan-pending",
    "casework:case-list",
    "casework:session-list",
    "casework:review-queue",
    "exports:case-register",  # (cwfile) checked like a list: a worker's register holds her own cases only
]
EXPORTS = [
    "exports:list",
    "projects:volunteer-export",
    "dashboards:station-export",
    "dashboards:district-export",
    "reports:station-xlsx",
    "reports:district-xlsx",
]


def own_markers(w) -> list[str]:
    return ["果园新村", "朝阳里", w.own.resident.name, w.own.request.reference, w.own.referred.reference]


def content_text(response) -> str:
    """A page, a CSV or an XLSX as text."""
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.content.decode()


def test_the_content_checks_cover_every_list_export():
    """Every export of a list has its content checked (a guard on the tables above)."""
    assert {kwargs["name"] for kwargs in MATRIX["exports:list"].urls(None)} == {
        "requests",
        "residents",
        "visits",
        "projects",
        "activities",
        "resources",
    }
    assert set(LISTS) | set(EXPORTS) <= set(MATRIX)


@pytest.mark.parametrize("key", LISTS + EXPORTS)
def test_lists_and_exports_hold_no_rows_of_another_scope(key, world, browsers, db):
    rule = MATRIX[key]
    people = logged_in(browsers, world)
    markers = own_markers(world)
    wrong = []
    # The evaluator reads 果园新村's monthly reports of her evaluation's months (and nothing else of it).
    readers = READS_OWN | ({EVALUATOR} if key.startswith("reports:station") else set())
    for path in paths_for(key, rule, world):
        for who, client in people.items():
            if rule.expected(who, "GET") != 200:
                continue
            response = client.get(path)
            assert response.status_code == 200, f"GET {path} as {who}: {response.status_code}"
            text = content_text(response)
            found = [marker for marker in markers if marker in text]
            # (The station's figures as CSV are label/value pairs with no name in them.)
            if who in READS_OWN and key in EXPORTS and not found and not path.endswith("figures.csv"):
                wrong.append(f"GET {path} as {who}: none of 果园新村's rows (the check would see nothing)")
            if who not in readers and found:
                wrong.append(f"GET {path} as {who}: holds 果园新村's {found}")
    assert not wrong, "\n".join(wrong)
