"""Two-factor login (TOTP): enrolment with a QR code, verification after the password, and the per-role
requirement admins set."""

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from stations.accounts import set_enrolment_code
from stations.models import User
from stations.security import RolePolicy
from tests.security.conftest import login

ENROL = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"


@pytest.fixture(autouse=True)
def _role_policy_applies(settings):
    """The test settings ignore the role policy (TWO_FACTOR_OPTIONAL); here it applies, as in production."""
    settings.SWS_TWO_FACTOR_OPTIONAL = False


def require(role, required=True):
    RolePolicy.objects.update_or_create(role=role, defaults={"require_two_factor": required})


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(client, user):
    """Bind an authenticator; the first one with the enrolment code an admin would give."""
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    data = {"token": code(device)}
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        data["enrolment_code"] = set_enrolment_code(user)
    return device, client.post(ENROL, data)


def test_enrolment_shows_a_qr_code_and_the_key(client, worker):
    client.force_login(worker)
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=worker)
    assert "<svg" in page and "viewBox" in page
    assert 'style="' not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    from sws.security.views import device_secret

    assert device_secret(device)[:4] in page
    assert not device.confirmed


def test_a_right_code_confirms_the_authenticator(client, worker):
    client.force_login(worker)
    device, response = enrol(client, worker)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id


def test_a_wrong_code_is_refused_in_chinese(client, worker):
    client.force_login(worker)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=worker)
    valid = {code(device, offset) for offset in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    response = client.post(ENROL, {"token": wrong, "enrolment_code": set_enrolment_code(worker)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker, confirmed=True).exists()


def test_an_enrolled_user_must_give_the_code_after_the_password(client, worker):
    client.force_login(worker)
    device, _ = enrol(client, worker)
    client.post("/logout/")

    response = login(client, worker.username)
    assert response.status_code == 302
    blocked = client.get("/residents/")
    assert blocked.status_code == 302
    assert blocked.url.startswith(VERIFY)
    assert client.get("/admin/").url.startswith(VERIFY)

    valid = {code(device, offset) for offset in (-1, 0, 1, 2)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)
    assert "验证码不正确" in client.post(VERIFY, {"token": wrong}).content.decode()
    # A second try at once is throttled (exponential back-off against guessing); a little later it works.
    assert "稍等片刻" in client.post(VERIFY, {"token": code(device, offset=1)}).content.decode()
    with freeze_time(timezone.now() + datetime.timedelta(seconds=35)):
        done = client.post(VERIFY, {"token": code(device), "next": "/account/two-factor/"})
        assert done.status_code == 302 and done.url == "/account/two-factor/"
        assert client.get(ENROL).status_code == 200


def test_a_password_alone_cannot_bind_a_new_authenticator_over_the_old_one(client, worker):
    client.force_login(worker)
    enrol(client, worker)
    client.post("/logout/")
    login(client, worker.username)
    response = client.get(ENROL)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=worker).count() == 1


def test_a_role_that_requires_it_is_sent_to_enrolment_first(client, worker, worker2):
    require(User.Role.STATION_HEAD)
    login(client, worker.username)  # worker is a station head
    response = client.get("/residents/")
    assert response.status_code == 302 and response.url.startswith(ENROL)
    device, confirmed = enrol(client, worker)
    assert confirmed.status_code == 302
    assert client.get("/account/two-factor/verify/").status_code == 302  # verified: nothing owed

    other = client.__class__()
    login(other, worker2.username)  # a station worker: not required
    assert other.get(ENROL).status_code == 200
    assert other.get("/").status_code == 302
    assert not other.get("/").url.startswith("/account/")


def test_without_policy_or_device_nothing_is_asked(client, worker):
    require(User.Role.STATION_HEAD, False)
    login(client, worker.username)
    response = client.get("/")
    assert response.status_code == 302
    assert not response.url.startswith("/account/two-factor/")


def test_logout_stays_reachable_while_a_code_is_owed(client, worker):
    require(User.Role.STATION_HEAD)
    login(client, worker.username)
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admins_edit_the_policy_in_admin(client, admin_user, settings):
    settings.SWS_TWO_FACTOR_OPTIONAL = True  # the admin logs in without a code here
    RolePolicy.objects.filter(role=User.Role.DISTRICT_STAFF).delete()
    client.force_login(admin_user)
    response = client.post(
        "/admin/stations/rolepolicy/add/", {"role": User.Role.DISTRICT_STAFF, "require_two_factor": "on"}
    )
    assert response.status_code == 302
    assert RolePolicy.objects.requires_two_factor(User.Role.DISTRICT_STAFF)


def test_visiting_the_enrolment_page_again_reuses_the_pending_authenticator(client, worker):
    """Three visits leave one unconfirmed device and show the same key each time, so the QR code scanned
    on the first visit still confirms it."""
    from sws.security.views import device_secret

    client.force_login(worker)
    pages = [client.get(ENROL) for _ in range(3)]
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert all(page.status_code == 200 for page in pages)
    shown = device_secret(device)[:4]
    assert all(shown in page.content.decode() for page in pages)

    response = client.post(ENROL, {"token": code(device), "enrolment_code": set_enrolment_code(worker)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=worker).values_list("pk", "confirmed")) == [(device.pk, True)]


def test_leftover_pending_authenticators_are_cleared_on_the_next_visit(client, worker):
    """Two enrolment pages opened at the same moment may each have made a pending device; only the newest
    can be confirmed (the form binds to it), so the next visit removes the older one."""
    older = TOTPDevice.objects.create(user=worker, name="SWS 验证器", confirmed=False)
    newer = TOTPDevice.objects.create(user=worker, name="SWS 验证器", confirmed=False)
    client.force_login(worker)
    assert client.get(ENROL).status_code == 200
    assert list(TOTPDevice.objects.filter(user=worker).values_list("pk", flat=True)) == [newer.pk]
    assert not TOTPDevice.objects.filter(pk=older.pk).exists()
    assert (
        client.post(ENROL, {"token": code(newer), "enrolment_code": set_enrolment_code(worker)}).status_code
        == 302
    )
    newer.refresh_from_db()
    assert newer.confirmed


def test_replacing_an_authenticator_keeps_one_pending_device_until_confirmed(client, worker):
    client.force_login(worker)
    old, _ = enrol(client, worker)  # confirmed, and this session is verified with it
    for _ in range(3):
        assert client.get(ENROL).status_code == 200
    pending = TOTPDevice.objects.get(user=worker, confirmed=False)
    assert TOTPDevice.objects.filter(user=worker).count() == 2  # the old one still works until then
    assert client.post(ENROL, {"token": code(pending)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=worker).values_list("pk", "confirmed")) == [(pending.pk, True)]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# --- Required out of the box; the first authenticator needs an out-of-band code --------------------------

PRIVILEGED = [
    User.Role.ADMIN,
    User.Role.CITY_STAFF,
    User.Role.DISTRICT_STAFF,
    User.Role.AUDITOR,
    User.Role.STATION_HEAD,
]


@pytest.mark.django_db
def test_a_fresh_migrate_requires_two_factor_for_the_privileged_roles():
    """The test database is built by the migrations, as a fresh install is."""
    required = set(RolePolicy.objects.filter(require_two_factor=True).values_list("role", flat=True))
    assert required == set(PRIVILEGED)
    assert not RolePolicy.objects.requires_two_factor(User.Role.STATION_WORKER)


def test_a_district_login_owes_a_code_out_of_the_box(client, district_user):
    login(client, district_user.username)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(ENROL)


def test_the_demo_setting_relaxes_the_role_policy(client, district_user, settings):
    settings.SWS_TWO_FACTOR_OPTIONAL = True
    login(client, district_user.username)
    assert not client.get("/").url.startswith("/account/")


def test_the_password_alone_does_not_bind_the_first_authenticator(client, district_user, admin_user):
    login(client, district_user.username)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=district_user, confirmed=False)
    refused = client.post(ENROL, {"token": code(device)})
    assert refused.status_code == 200 and "绑定码" in refused.content.decode()
    wrong = client.post(ENROL, {"token": code(device), "enrolment_code": "12345678"})
    assert wrong.status_code == 200
    assert not TOTPDevice.objects.filter(user=district_user, confirmed=True).exists()
    assert client.get("/").url.startswith(ENROL)  # still owes it

    # An admin gives the code (in the admin, out of band); the user binds with it, once.
    from stations.accounts import issue_enrolment_code

    given = issue_enrolment_code(admin_user, district_user)
    assert client.post(ENROL, {"token": code(device), "enrolment_code": given}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    district_user.refresh_from_db()
    assert district_user.two_factor_enrolment_code == ""


def test_an_admin_issues_the_enrolment_code_in_admin(client, admin_user, district_user, settings):
    settings.SWS_TWO_FACTOR_OPTIONAL = True
    client.force_login(admin_user)
    page = client.post(f"/admin/stations/user/{district_user.pk}/password/", {"issue_code": "1"})
    shown = page.content.decode().split("验证器绑定码：<code>", 1)[1][:8]
    from stations.accounts import enrolment_code_valid

    district_user.refresh_from_db()
    assert enrolment_code_valid(district_user, shown)


def test_check_deploy_warns_about_superusers_without_an_authenticator(admin_user, settings):
    from sws.security.checks import superusers_without_authenticator, two_factor_optional_in_production

    warnings = superusers_without_authenticator()
    assert [w.id for w in warnings] == ["security.W101"] and admin_user.username in warnings[0].msg
    from django.core.checks import run_checks

    assert "security.W101" in {w.id for w in run_checks(include_deployment_checks=True)}
    assert "security.W101" not in {w.id for w in run_checks()}  # a deploy check only
    TOTPDevice.objects.create(user=admin_user, name="SWS 验证器", confirmed=True)
    assert superusers_without_authenticator() == []
    settings.SWS_TWO_FACTOR_OPTIONAL = True
    assert [w.id for w in two_factor_optional_in_production()] == ["security.W102"]


def test_the_first_administrator_gets_an_enrolment_code_from_the_server(admin_user):
    from io import StringIO

    from django.core.management import call_command

    from stations.accounts import enrolment_code_valid

    out = StringIO()
    call_command("two_factor_code", admin_user.username, stdout=out)
    admin_user.refresh_from_db()
    assert enrolment_code_valid(admin_user, out.getvalue().strip())
