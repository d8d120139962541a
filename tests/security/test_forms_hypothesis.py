"""Bad input, generated: every form of the project through the whole stack (the test client's POST).

For every form (residents' registry, intake and workflow forms, the public QR form and status lookup,
the projects forms, the plan forms, the stations admin forms, login and the two-factor code) and the
list pages' filters (GET), Hypothesis draws a plausible form and then spoils up to three fields with
junk: random unicode (control characters and NUL included), huge strings, impossible dates, wrong ID
numbers, negative, huge and non-numeric numbers, decimals with many places, ids of other stations or of
nothing. Whatever it sends:

- the answer is never a server error;
- when the answer is not a redirect (the form came back with errors), nothing was saved;
- every row that was saved or changed passes the model's own validation (`full_clean`) and the rules
  the forms exist to keep (valid 身份证号 and phone numbers, records and their communities, projects
  and partners of one station, money with two decimal places, no negative balance).

Each example runs in its own savepoint, rolled back afterwards, over the data set of
tests/security/access_world.py. Example counts are modest (`max_examples` per test); CI uses the
`ci` profile (tests/conftest.py): derandomised, so a failure reproduces.
"""

import datetime
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    Partner,
    Project,
    Resource,
    VolunteerTeam,
)
from residents.models import Category, Referral, Request, Resident, TimelineEvent
from residents.validators import id_birth_date, validate_id_number, validate_phone
from stations.models import Assignment, Community, District, Station, User
from tests.security.access_world import PASSWORD, fresh, id_number, world_fixture  # noqa: F401

# The data set is rolled back per example, not per test: function-scoped fixtures are safe here.
FORM_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}

# --- Junk -------------------------------------------------------------------------------------------
# No lone surrogates: the browser (and the test client) cannot encode them, so no request carries them.
CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(CHARS, max_size=40)
HUGE = st.builds(
    lambda piece, n: piece * n,
    st.sampled_from(["字", "a", "\x00", "😀", " ", "\u202e", "<script>", "'); DROP TABLE x;--"]),
    st.sampled_from([300, 2_001, 70_000]),
)
BAD_DATES = st.sampled_from(
    [
        "2025-02-30",
        "2025-13-01",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "1900-02-29",
        "2023-02-29",
        "-1",
        "昨天",
        "2025/03/01",
        "01-03-2025",
        "2025-03",
        "2025-03-01T25:00",
    ]
)
BAD_NUMBERS = st.one_of(
    st.sampled_from(
        ["-1", "0", "-0", "1e309", "-1e309", "NaN", "Infinity", "1.005", "0.001", "1.123456789", "0x10"]
        + [" 12 ", "１２", "12,000", "9" * 30, "-" + "9" * 30, "1_000", "²", "٣"]
    ),
    st.integers(-(10**25), 10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
BAD_ID_NUMBERS = st.one_of(
    st.sampled_from(
        [
            "120113194405020070",  # wrong check digit
            "12011319440502007",  # 17 digits
            "120113440502007",  # the old 15-digit number
            "12011319440230007X",  # 30 February
            "990113194405020071",  # no such province
            "12011330010101001X",  # born in 3001
            "１２０１１３１９４４０５０２００７" + "x",
            "12011319440502007x",
            "ABCDEFGHIJKLMNOPQR",
        ]
    ),
    st.from_regex(r"\A[0-9Xx]{15,19}\Z", fullmatch=True),
)
BAD_IDS = st.one_of(
    st.sampled_from(["0", "-1", "1.0", "9223372036854775808", "99999999999999999999", "1 OR 1=1", "[1]"]),
    st.integers(-(2**70), 2**70).map(str),
)
# NUL: PostgreSQL refuses it in any text, so a NUL that reaches a query is a database error.
NUL = st.sampled_from(["\x00", "a\x00b", "张\x00", "1\x00", "\x00" * 3])
JUNK = st.one_of(TEXT, HUGE, NUL, BAD_DATES, BAD_NUMBERS, BAD_ID_NUMBERS, BAD_IDS, st.just(""))

# --- Plausible values -----------------------------------------------------------------------------
NAMES = st.one_of(st.sampled_from(["张桂兰", "李 静", " 王海 ", "Ａｌｉｃｅ", "欧阳娜娜"]), TEXT)
PHONES = st.one_of(
    st.sampled_from(["13820135678", "138 2013 5678", "+86 13820135678", "022-26391234", "12345", ""]),
    st.from_regex(r"\A1[3-9]\d{9}\Z", fullmatch=True),
)
DATES = st.one_of(st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)).map(str), BAD_DATES)
AMOUNTS = st.one_of(
    st.decimals(Decimal("-10"), Decimal("1000000"), places=2).map(str),
    st.sampled_from(["0.01", "100", "1.005", "0", "-5", "12345678901234.99"]),
)
COUNTS = st.one_of(st.integers(-5, 100_000).map(str), st.sampled_from(["0", "1", "2147483648"]))


def valid_id_numbers():
    return st.builds(
        lambda seq, born: id_number(seq, born=born.strftime("%Y%m%d")),
        st.integers(1, 999),
        st.dates(datetime.date(1920, 1, 1), datetime.date(2020, 12, 31)),
    )


def pk_of(*querysets):
    """Ids of rows in the data set: ours and other stations' (a forged id must be refused)."""
    values = sorted({str(pk) for qs in querysets for pk in qs.values_list("pk", flat=True)})
    return st.sampled_from(values) if values else st.just("")


def several(strategy):
    return st.lists(strategy, max_size=3)


@st.composite
def spoiled(draw, plausible):
    """A plausible form with up to three fields spoiled by junk and maybe one left out."""
    data = {name: draw(strategy) for name, strategy in plausible.items()}
    names = sorted(plausible)
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        data[name] = draw(st.one_of(JUNK, several(JUNK))) if isinstance(data[name], list) else draw(JUNK)
    for name in draw(st.lists(st.sampled_from(names), max_size=1, unique=True)):
        data.pop(name)
    return data


# --- The invariants -------------------------------------------------------------------------------
WATCHED = [
    Resident,
    Request,
    Referral,
    Project,
    Activity,
    Partner,
    Resource,
    VolunteerTeam,
    CommunityOrganisation,
    CommunityFund,
    FundEntry,
    AnnualPlan,
    Station,
    User,
    Assignment,
]


def snapshot(obj):
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for m2m in obj._meta.many_to_many:
        values[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return values


def community_stations(obj):
    return set(obj.communities.values_list("street__station_id", flat=True))


def check_rules(obj):
    """What the forms exist to keep, beyond the model's own validation."""
    if isinstance(obj, Resident):
        assert " ".join(obj.name.split()) == obj.name and obj.name
        if obj.id_number:
            assert validate_id_number(obj.id_number) == obj.id_number
            assert obj.birth_date == id_birth_date(obj.id_number)
        if obj.phone:
            assert validate_phone(obj.phone) == obj.phone
    if isinstance(obj, Request):
        assert obj.description.strip() and len(obj.description) <= 2000
        assert obj.community.street.station_id == obj.station_id
        if obj.resident_id:
            assert obj.resident.community.street.station_id == obj.station_id
        if obj.assignee_id:
            assert obj.assignee.station_id == obj.station_id
        if obj.reporter_phone:
            assert validate_phone(obj.reporter_phone) == obj.reporter_phone
    station_id = getattr(obj, "station_id", None)
    if station_id and hasattr(obj, "communities") and not isinstance(obj, Station):
        assert community_stations(obj) <= {station_id}
    for name in ("project", "partner", "lead"):
        related = getattr(obj, name, None) if station_id else None
        if isinstance(related, models.Model):
            assert related.station_id == station_id, name
    if isinstance(obj, Project):
        assert set(obj.requests.values_list("station_id", flat=True)) <= {obj.station_id}
    for name in ("amount", "budget"):
        value = getattr(obj, name, None)
        if isinstance(value, Decimal):
            assert value >= 0 and value == value.quantize(Decimal("0.01")), (name, value)
    if isinstance(obj, FundEntry):
        assert obj.amount > 0
        assert CommunityFund.objects.with_balance().get(pk=obj.fund_id).balance >= 0


def assert_valid(obj):
    obj.full_clean()
    check_rules(obj)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def submit(send, watched=WATCHED, edited=(), success=(301, 302, 303)):
    """Send one request and check the invariants; returns the response. `success`: the answers that
    may follow a save (a redirect; the htmx quick actions answer the saved row itself)."""
    before = {model: model.objects.aggregate(m=Max("pk"))["m"] or 0 for model in watched}
    states = [(obj, snapshot(fresh(obj))) for obj in edited]
    response = send()
    assert response.status_code < 500, response.status_code
    new = [row for model in watched for row in model.objects.filter(pk__gt=before[model])]
    changed = [fresh(obj) for obj, state in states if snapshot(fresh(obj)) != state]
    if response.status_code not in success:
        assert not new and not changed, (response.status_code, new, changed)
    for row in new + changed:
        assert_valid(row)
    return response


def logged_in(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def run_form(client, path, data, **submit_kwargs):
    with rolled_back():
        cache.clear()  # rate limits and lockouts start afresh
        return submit(lambda: client.post(path, data), **submit_kwargs)


def test_an_id_too_big_for_its_column_matches_nothing(world, db):
    """`pk__in` with a number past the column's range (sws.security.lookups): no row, no database error."""
    own = world.own.community
    assert list(Community.objects.filter(pk__in=[2**64, own.pk])) == [own]
    assert not Community.objects.filter(pk__in=[2**64, -(2**64)]).exists()
    assert Community.objects.exclude(pk__in=[2**64]).count() == Community.objects.count()


# --- Plausible forms, over the data set -------------------------------------------------------------
def communities(w):
    return pk_of(Community.objects.all())


def resident_form(w, version=None):
    fields = {
        "name": NAMES,
        "gender": st.sampled_from(["", "M", "F", "X"]),
        "id_number": st.one_of(st.just(""), valid_id_numbers(), BAD_ID_NUMBERS),
        "birth_date": st.one_of(st.just(""), DATES),
        "phone": PHONES,
        "community": communities(w),
        "address": TEXT,
        "tags": several(st.integers(1, 12).map(str)),
        "notes": TEXT,
    }
    if version is not None:
        fields["version"] = st.sampled_from([str(version), str(version + 1), "0", ""])
    return spoiled(fields)


def intake_form(w):
    return spoiled(
        {
            "submission_token": st.one_of(st.just(uuid.uuid4().hex), TEXT),
            "mode": st.sampled_from(["existing", "new", "reporter", "other"]),
            "resident": pk_of(Resident.objects.all()),
            "new_name": NAMES,
            "new_phone": PHONES,
            "new_id_number": st.one_of(st.just(""), valid_id_numbers(), BAD_ID_NUMBERS),
            "new_address": TEXT,
            "reporter_name": NAMES,
            "reporter_phone": PHONES,
            "community": st.one_of(st.just(""), communities(w)),
            "channel": st.sampled_from(["walk_in", "phone", "qr", "hotline_12345", "x"]),
            "category": pk_of(Category.objects.all()),
            "description": st.one_of(TEXT, st.just("楼道灯坏了")),
            "severity": st.sampled_from(["mild", "severe", ""]),
            "urgency": st.sampled_from(["urgent", "not_urgent", ""]),
            "q": st.one_of(TEXT, NUL),
            "do": st.sampled_from(["", "save", "search"]),
        }
    )


def users_pk():
    return pk_of(User.objects.all())


def action_forms():
    """The fields of each workflow step's form (version apart)."""
    return {
        "triage": {
            "severity": st.sampled_from(["mild", "severe", "x"]),
            "urgency": st.sampled_from(["urgent", "y"]),
        },
        "assign": {"assignee": users_pk()},
        "start": {},
        "refer": {"organisation": TEXT, "reason": TEXT},
        "resolve": {"note": TEXT},
        "follow-up": {
            "satisfaction": st.sampled_from(["satisfied", "fairly", "dissatisfied", "z"]),
            "note": TEXT,
        },
        "reopen": {"reason": TEXT},
        "withdraw": {"kind": st.sampled_from(["duplicate", "resident_request", "x", ""]), "reason": TEXT},
        "reject": {"kind": st.sampled_from(["duplicate", "out_of_scope", "x", ""]), "reason": TEXT},
        "note": {"text": TEXT},
    }


def project_form(w, version):
    return spoiled(
        {
            "title": NAMES,
            "theme": st.sampled_from([c for c, _ in Project.Theme.choices] + ["x"]),
            "target_groups": several(st.integers(0, 20).map(str)),
            "communities": several(communities(w)),
            "lead": st.one_of(st.just(""), users_pk()),
            "start_date": DATES,
            "end_date": st.one_of(st.just(""), DATES),
            "status": st.sampled_from([c for c, _ in Project.Status.choices] + ["x"]),
            "budget": AMOUNTS,
            "funding_source": st.sampled_from([c for c, _ in Project.Funding.choices] + ["x"]),
            "is_featured": st.sampled_from(["", "on", "false"]),
            "workers_involved": COUNTS,
            "description": TEXT,
            "request_references": st.one_of(
                TEXT, st.sampled_from([w.own.request.reference, w.far.request.reference, "A,B;C"])
            ),
            "version": st.sampled_from([str(version), str(version - 1), ""]),
        }
    )


def activity_form(w, version):
    return spoiled(
        {
            "date": DATES,
            "title": NAMES,
            "method": st.sampled_from([c for c, _ in Activity.Method.choices] + ["x"]),
            "project": st.one_of(st.just(""), pk_of(Project.objects.all())),
            "communities": several(communities(w)),
            "sessions": COUNTS,
            "person_times": COUNTS,
            "volunteers": COUNTS,
            "for_community_workers": st.sampled_from(["", "on"]),
            "notes": TEXT,
            "version": st.sampled_from([str(version), ""]),
        }
    )


def resource_form(w, version):
    return spoiled(
        {
            "partner": pk_of(Partner.objects.all()),
            "date": DATES,
            "kind": st.sampled_from([c for c, _ in Resource.Kind.choices] + ["x"]),
            "amount": AMOUNTS,
            "description": TEXT,
            "project": st.one_of(st.just(""), pk_of(Project.objects.all())),
            "notes": TEXT,
            "version": st.sampled_from([str(version), ""]),
        }
    )


def partner_form(w, version):
    return spoiled(
        {
            "name": NAMES,
            "kind": st.sampled_from([c for c, _ in Partner.Kind.choices] + ["x"]),
            "contact": TEXT,
            "notes": TEXT,
            "version": st.sampled_from([str(version), ""]),
        }
    )


def group_form(w, version):
    return spoiled(
        {
            "name": NAMES,
            "focus": TEXT,
            "members": COUNTS,
            "founded_on": DATES,
            "status": st.sampled_from(["incubating", "active", "registered", "x"]),
            "communities": several(communities(w)),
            "notes": TEXT,
            "version": st.sampled_from([str(version), ""]),
        }
    )


def fund_form(w, version):
    return spoiled(
        {
            "name": NAMES,
            "established_on": DATES,
            "communities": several(communities(w)),
            "purpose": TEXT,
            "version": st.sampled_from([str(version), ""]),
        }
    )


def entry_form(w):
    return spoiled(
        {
            "direction": st.sampled_from(["inflow", "outflow", "x"]),
            "amount": st.one_of(AMOUNTS, st.sampled_from(["500.00", "500.01", "99999999"])),
            "date": DATES,
            "channel": st.sampled_from([""] + [c for c, _ in FundEntry.Channel.choices]),
            "purpose": st.sampled_from([""] + [c for c, _ in FundEntry.Purpose.choices]),
            "partner": st.one_of(st.just(""), pk_of(Partner.objects.all())),
            "project": st.one_of(st.just(""), pk_of(Project.objects.all())),
            "note": TEXT,
        }
    )


PLAN_NUMBERS = [
    "target_volunteer_teams",
    "target_organisations",
    "target_capacity_sessions",
    "target_registered_residents",
    "target_projects",
    "target_activity_sessions",
    "target_person_times",
]
PLAN_TEXTS = ["volunteer_text", "organisations_text", "capacity_text", "baseline_text", "projects_text"]


def plan_form(w, version):
    return spoiled(
        {
            "year": st.one_of(st.integers(1990, 2110).map(str), BAD_NUMBERS),
            **dict.fromkeys(PLAN_NUMBERS, COUNTS),
            **dict.fromkeys(PLAN_TEXTS, TEXT),
            "version": st.sampled_from([str(version), ""]),
        }
    )


# --- Residents ----------------------------------------------------------------------------------------
@settings(max_examples=30, **FORM_SETTINGS)
@given(data=st.data())
def test_resident_register(world, db, data):
    form = data.draw(resident_form(world))
    run_form(logged_in(world.users.worker), reverse("residents:resident-create"), form)


@settings(max_examples=30, **FORM_SETTINGS)
@given(data=st.data())
def test_resident_edit(world, db, data):
    resident = fresh(world.own.resident)
    form = data.draw(resident_form(world, version=resident.version))
    path = reverse("residents:resident-edit", args=[resident.pk])
    run_form(logged_in(world.users.worker), path, form, edited=[resident])


@settings(max_examples=15, **FORM_SETTINGS)
@given(reason=st.one_of(TEXT, HUGE))
def test_resident_reveal(world, db, reason):
    resident = world.own.resident
    path = reverse("residents:resident-reveal", args=[resident.pk])
    run_form(logged_in(world.users.worker), path, {"reason": reason}, edited=[resident])


@settings(max_examples=20, **FORM_SETTINGS)
@given(number=st.one_of(valid_id_numbers(), BAD_ID_NUMBERS, TEXT, HUGE))
@example(number=id_number(7)).via("a registered resident's number")
def test_resident_lookup(world, db, number):
    run_form(logged_in(world.users.worker), reverse("residents:resident-lookup"), {"id_number": number})


@settings(max_examples=40, **FORM_SETTINGS)
@given(data=st.data())
def test_intake(world, db, data):
    form = data.draw(intake_form(world))
    run_form(logged_in(world.users.worker), reverse("residents:intake"), form)


@settings(max_examples=40, **FORM_SETTINGS)
@given(data=st.data())
@example(data=None).via("a bare word as next: redirect() took it for a URL name (was a 500)")
def test_request_workflow_steps(world, db, data):
    if data is None:
        req = fresh(world.own.request)
        client = logged_in(world.users.worker)
        path = reverse("residents:request-assign", args=[req.pk])
        form = {"version": req.version, "assignee": world.users.worker2.pk, "next": "0"}
        with rolled_back():
            response = submit(lambda: client.post(path, form), watched=[Request, TimelineEvent], edited=[req])
            assert response["Location"] == req.get_absolute_url()
        return
    forms = action_forms()
    action = data.draw(st.sampled_from(sorted(forms)))
    req = fresh(data.draw(st.sampled_from([world.own.request, world.own.referred])))
    form = data.draw(
        spoiled(
            {
                "version": st.sampled_from([str(req.version), str(req.version + 1), "", "-1"]),
                **forms[action],
            }
        )
    )
    form |= data.draw(
        st.fixed_dictionaries(
            {}, optional={"next": st.one_of(TEXT, st.just("//evil.example/")), "from": st.just("queue")}
        )
    )
    headers = data.draw(st.sampled_from([{}, {"HX-Request": "true"}]))
    client = logged_in(world.users.worker)
    path = reverse(f"residents:request-{action}", args=[req.pk])
    row = headers and form.get("from") == "queue"  # the queue's quick action: the row comes back
    with rolled_back():
        response = submit(
            lambda: client.post(path, form, headers=headers),
            watched=[Request, Referral, TimelineEvent],
            edited=[req],
            success=(200, 302) if row else (302,),
        )
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith("/") and not location.startswith("//"), location


@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_referral_outcome(world, db, data):
    req = fresh(world.own.referred)
    form = data.draw(
        spoiled(
            {
                "version": st.sampled_from([str(req.version), ""]),
                "outcome": st.sampled_from(["accepted", "done", "declined", "pending", "x"]),
                "note": TEXT,
            }
        )
    )
    path = reverse("residents:referral-outcome", args=[req.pk, world.own.referral.pk])
    run_form(logged_in(world.users.worker), path, form, edited=[req, world.own.referral])


# --- The public QR pages ------------------------------------------------------------------------------
@settings(max_examples=40, **FORM_SETTINGS)
@given(data=st.data())
def test_public_request(world, db, data):
    form = data.draw(
        spoiled(
            {
                "category": pk_of(Category.objects.all()),
                "description": st.one_of(TEXT, st.just("家里水管漏水，需要帮助联系维修。")),
                "reporter_name": NAMES,
                "reporter_phone": PHONES,
                "consent": st.sampled_from(["on", "", "false"]),
                "website": st.one_of(st.just(""), TEXT),
                "token": st.one_of(st.just("t" * 32), TEXT),
            }
        )
    )
    code = data.draw(st.sampled_from([world.own.community.code, world.far.community.code]))
    run_form(Client(), reverse("public:intake", args=[code]), form)


@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_public_status_lookup(world, db, data):
    form = data.draw(
        spoiled(
            {
                "reference": st.one_of(TEXT, st.just(world.own.request.reference)),
                "phone_tail": st.one_of(st.sampled_from(["5678", "１２３４", "12345"]), TEXT),
            }
        )
    )
    run_form(Client(), reverse("public:status"), form)


# --- Login and the two-factor code ------------------------------------------------------------------
@settings(max_examples=25, **FORM_SETTINGS)
@given(data=st.data())
def test_login(world, db, data):
    form = data.draw(
        spoiled(
            {
                "username": st.one_of(st.sampled_from(["xupengze", "admin", "XUPENGZE", ""]), TEXT, HUGE),
                "password": st.one_of(st.sampled_from([PASSWORD, "", PASSWORD + " "]), TEXT, HUGE),
                "next": st.one_of(st.just("/residents/"), st.just("https://evil.example/"), TEXT),
            }
        )
    )
    with rolled_back():
        cache.clear()
        response = submit(lambda: Client().post(reverse("login"), form))
        if response.status_code == 302:
            assert not response["Location"].startswith(("http", "//")), response["Location"]


@settings(max_examples=15, **FORM_SETTINGS)
@given(
    token=st.one_of(TEXT, HUGE, st.from_regex(r"\A\d{6}\Z", fullmatch=True)),
    next_url=st.one_of(st.just("/residents/"), TEXT),
)
def test_two_factor_code(world, db, token, next_url):
    client = logged_in(world.users.worker2)
    path = reverse("security:two-factor-enrol")
    with rolled_back():
        client.get(path)  # an unconfirmed device to confirm
        submit(lambda: client.post(path, {"token": token, "next": next_url}))


@pytest.mark.parametrize("next_url", ["0", "home", "https://evil.example/", "//evil.example/", "/projects/"])
def test_two_factor_code_goes_to_a_path_of_ours(world, db, next_url):
    """A right code with `next`: a path of ours, else home (a bare word was taken for a URL name: a 500)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = logged_in(world.users.worker2)
    path = reverse("security:two-factor-enrol")
    client.get(path)
    device = TOTPDevice.objects.get(user=world.users.worker2, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    from stations.accounts import set_enrolment_code

    enrolment = set_enrolment_code(world.users.worker2)  # the first authenticator needs an admin's code
    response = client.post(path, {"token": code, "enrolment_code": enrolment, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == (next_url if next_url == "/projects/" else reverse("home"))


# --- Service projects --------------------------------------------------------------------------------
PROJECT_FORMS = {
    # name: (URL name, record the edit page changes, plausible form)
    "project": ("project", "project", project_form),
    "activity": ("activity", "activity", activity_form),
    "resource": ("resource", "resource", resource_form),
    "partner": ("partner", "partner", partner_form),
    "team": ("team", "team", group_form),
    "organisation": ("organisation", "organisation", group_form),
    "fund": ("fund", "fund", fund_form),
    "plan": ("plan", "plan", plan_form),
}


@pytest.mark.parametrize("kind", sorted(PROJECT_FORMS))
@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_station_work_create(world, db, kind, data):
    url_name, _record, form_for = PROJECT_FORMS[kind]
    form = data.draw(form_for(world, 1))
    run_form(logged_in(world.users.worker), reverse(f"projects:{url_name}-create"), form)


@pytest.mark.parametrize("kind", sorted(PROJECT_FORMS))
@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_station_work_edit(world, db, kind, data):
    url_name, record, form_for = PROJECT_FORMS[kind]
    obj = fresh(getattr(world.own, record))
    form = data.draw(form_for(world, obj.version))
    path = reverse(f"projects:{url_name}-edit", args=[obj.pk])
    run_form(logged_in(world.users.worker), path, form, edited=[obj])


@settings(max_examples=30, **FORM_SETTINGS)
@given(data=st.data())
def test_fund_entry(world, db, data):
    fund = world.own.fund
    form = data.draw(entry_form(world))
    path = reverse("projects:fund-entry-create", args=[fund.pk])
    run_form(logged_in(world.users.worker), path, form, edited=[fund])


@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_activity_bulk_entry(world, db, data):
    rows = data.draw(st.integers(0, 3))
    form = {
        "month": data.draw(st.one_of(st.just("2025-03"), JUNK)),
        "rows-TOTAL_FORMS": data.draw(st.one_of(st.just(str(rows)), BAD_NUMBERS)),
        "rows-INITIAL_FORMS": data.draw(st.sampled_from(["0", "1", "-1", "x"])),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "62",
    }
    for i in range(rows):
        row = data.draw(
            spoiled(
                {
                    "date": st.one_of(st.just("2025-03-08"), DATES),
                    "title": NAMES,
                    "method": st.sampled_from(["casework", "group", "community", "x"]),
                    "project": st.one_of(st.just(""), pk_of(Project.objects.all())),
                    "community": st.one_of(st.just(""), communities(world)),
                    "sessions": COUNTS,
                    "person_times": COUNTS,
                    "volunteers": COUNTS,
                }
            )
        )
        form |= {f"rows-{i}-{name}": value for name, value in row.items()}
    run_form(logged_in(world.users.worker), reverse("projects:activity-bulk"), form)


@settings(max_examples=15, **FORM_SETTINGS)
@given(note=st.one_of(TEXT, HUGE))
def test_project_resolves_its_requests(world, db, note):
    project = world.own.project
    path = reverse("projects:project-resolve-requests", args=[project.pk])
    run_form(logged_in(world.users.worker), path, {"note": note}, edited=[project])


@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_plan_review(world, db, data):
    plan = fresh(world.own.submitted_plan)
    decision = data.draw(st.sampled_from(["approve", "return"]))
    form = data.draw(
        spoiled(
            {
                "comment": st.one_of(TEXT, HUGE),
                "version": st.sampled_from([str(plan.version), str(plan.version + 1), "", "x"]),
            }
        )
    )
    path = reverse(f"projects:plan-{decision}", args=[plan.pk])
    run_form(logged_in(world.users.district_user), path, form, edited=[plan])


# --- Stations: the district centre's admin forms ------------------------------------------------------
@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_admin_assignment_add(world, db, data):
    form = data.draw(
        spoiled(
            {
                "user": users_pk(),
                "station": pk_of(Station.objects.all()),
                "is_head": st.sampled_from(["", "on"]),
                "start_date": DATES,
                "end_date": st.one_of(st.just(""), DATES),
            }
        )
    )
    run_form(logged_in(world.users.district_user), reverse("admin:stations_assignment_add"), form)


@settings(max_examples=20, **FORM_SETTINGS)
@given(data=st.data())
def test_admin_user_add(world, db, data):
    password = data.draw(st.one_of(st.just("Gy-station-2026!"), TEXT))
    form = data.draw(
        spoiled(
            {
                "username": st.one_of(st.just("st-120113001-9"), TEXT, HUGE),
                "name": NAMES,
                "role": st.sampled_from([c for c, _ in User.Role.choices] + ["x"]),
                "station": st.one_of(st.just(""), pk_of(Station.objects.all())),
                "district": st.one_of(st.just(""), pk_of(District.objects.all())),
                "usable_password": st.sampled_from(["true", "false"]),
                "password1": st.just(password),
                "password2": st.one_of(st.just(password), TEXT),
            }
        )
    )
    run_form(logged_in(world.users.district_user), reverse("admin:stations_user_add"), form)


# --- GET forms: the list pages' filters, the dashboards' periods, searches -----------------------------
REQUEST_FILTER = [
    "reference",
    "status",
    "priority",
    "category",
    "community",
    "assignee",
    "channel",
    "station",
]
REQUEST_FILTER += ["overdue", "follow_up_due", "page"]
PERIOD = ["period", "from", "to", "sort"]
# (who, URL name, URL arguments, the query parameters the page reads)
GET_PAGES = [
    ("worker", "residents:resident-list", None, ["q", "community", "tag", "page"]),
    ("worker", "residents:request-queue", None, REQUEST_FILTER),
    ("worker", "residents:intake", None, ["q", "resident"]),
    ("worker", "residents:intake-duplicates", None, ["resident", "category"]),
    ("worker", "residents:resident-search", None, ["q"]),
    ("worker", "projects:project-list", None, ["q", "station", "theme", "status", "funding_source", "page"]),
    ("worker", "projects:activity-list", None, ["q", "station", "date_from", "date_to", "method", "project"]),
    ("worker", "projects:activity-create", None, ["project"]),
    ("worker", "projects:activity-bulk", None, ["month", "rows"]),
    ("worker", "projects:resource-create", None, ["partner"]),
    ("worker", "projects:resource-list", None, ["station", "date_from", "date_to", "kind", "partner_kind"]),
    ("worker", "projects:partner-list", None, ["station", "page"]),
    ("worker", "projects:group-list", None, ["station", "tpage", "opage"]),
    ("worker", "projects:fund-list", None, ["station", "page"]),
    ("worker", "projects:plan-list", None, ["station", "year", "status", "page"]),
    ("worker", "reports:index", None, ["month"]),
    ("worker", "dashboards:station", "station", PERIOD),
    ("district_user", "dashboards:district", "district", PERIOD),
    ("district_user", "dashboards:district-export", "district-csv", PERIOD),
    ("district_user", "stations:district-detail", "district", ["compliance"]),
    ("city_user", "dashboards:city", None, PERIOD),
    ("district_user", "exports:list", "export", REQUEST_FILTER),
    ("worker", "exports:list", "export-residents", ["q", "community", "tag"]),
    ("auditor", "security:audit-changes", None, ["user", "model", "action", "date_from", "date_to", "page"]),
    ("auditor", "security:audit-access", None, ["user", "action", "resident", "date_from", "date_to"]),
    ("auditor", "security:audit-logins", None, ["kind", "user", "date_from", "date_to", "page"]),
    ("auditor", "security:audit-resident-lookup", None, ["resident_id"]),
    ("auditor", "security:audit-resident", "resident", ["changes_page", "access_page"]),
    (None, "public:intake-done", "community", ["t"]),
]
QUERY_VALUES = st.one_of(
    NUL,
    JUNK,
    st.sampled_from(["on", "null", "1", "month", "custom", "2025-03", "2025-03-01", "logins", "-x"]),
)


def get_kwargs(w, kind):
    return {
        None: {},
        "station": {"pk": w.own.station.pk},
        "district": {"pk": w.beichen.pk},
        "district-csv": {"pk": w.beichen.pk, "fmt": "csv"},
        "export": {"name": "requests", "fmt": "csv"},
        "export-residents": {"name": "residents", "fmt": "csv"},
        "community": {"code": w.own.community.code},
        "resident": {"resident_id": w.own.resident.pk},
    }[kind]


@pytest.mark.parametrize("who,name,kind,params", GET_PAGES, ids=[page[1] for page in GET_PAGES])
@settings(max_examples=12, **FORM_SETTINGS)
@given(data=st.data())
def test_query_parameters(world, db, who, name, kind, params, data):
    query = data.draw(st.dictionaries(st.sampled_from(params), QUERY_VALUES, min_size=1, max_size=4))
    headers = data.draw(st.sampled_from([{}, {"HX-Request": "true"}]))
    client = logged_in(getattr(world.users, who) if who else None)
    path = reverse(name, kwargs=get_kwargs(world, kind))
    with rolled_back():
        submit(lambda: client.get(path, query, headers=headers))


# Values Hypothesis found (or that sit at the edges it aims for), kept as plain examples: each was a 500.
EDGE_CASES = [
    ("worker", "residents:resident-search", {"q": "a\x00b"}, {"HX-Request": "true"}),  # NUL on PostgreSQL
    ("worker", "residents:intake", {"q": "\x00"}, {}),
    ("worker", "residents:intake", {"resident": "²"}, {}),  # a digit int() refuses
    ("worker", "residents:intake-duplicates", {"resident": "²", "category": "²"}, {}),
    ("worker", "residents:request-queue", {"community": "²", "assignee": "²"}, {}),
    ("district_user", "residents:request-queue", {"station": "-²"}, {}),
    ("worker", "residents:resident-list", {"q": "字" * 70_000}, {}),  # SQLite's LIKE pattern limit
    ("worker", "projects:project-list", {"q": "字" * 70_000}, {}),
    ("worker", "projects:activity-list", {"q": "字" * 70_000}, {}),
    ("auditor", "security:audit-resident-lookup", {"resident_id": "²"}, {}),
    ("auditor", "security:audit-resident-lookup", {"resident_id": "9" * 30}, {}),
    ("auditor", "security:audit-changes", {"date_from": "0001-01-01", "date_to": "9999-12-31"}, {}),
    ("auditor", "security:audit-access", {"date_to": "9999-12-31"}, {}),
    ("auditor", "security:audit-logins", {"date_from": "0001-01-01"}, {}),
    ("city_user", "dashboards:city", {"period": "year", "from": "9999-12-31"}, {}),
    ("city_user", "dashboards:city", {"period": "month", "from": "0001-01-01"}, {}),
    ("city_user", "dashboards:city", {"period": "custom", "from": "9999-12-25", "to": "9999-12-31"}, {}),
]


@pytest.mark.parametrize(
    "who,name,query,headers", EDGE_CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(EDGE_CASES)]
)
def test_edge_values(world, db, who, name, query, headers):
    client = logged_in(getattr(world.users, who))
    with rolled_back():
        submit(lambda: client.get(reverse(name), query, headers=headers))
