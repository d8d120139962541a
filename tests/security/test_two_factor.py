"""Two-factor login (TOTP): enrolment with a QR code, verification after the password, and the per-role
requirement admins set."""

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from stations.models import User
from stations.security import RolePolicy
from tests.security.conftest import login

ENROL = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(client, user):
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return device, client.post(ENROL, {"token": code(device)})


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
    response = client.post(ENROL, {"token": wrong})
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
    RolePolicy.objects.create(role=User.Role.STATION_HEAD, require_two_factor=True)
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
    login(client, worker.username)
    response = client.get("/")
    assert response.status_code == 302
    assert not response.url.startswith("/account/two-factor/")


def test_logout_stays_reachable_while_a_code_is_owed(client, worker):
    RolePolicy.objects.create(role=User.Role.STATION_HEAD, require_two_factor=True)
    login(client, worker.username)
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admins_edit_the_policy_in_admin(client, admin_user):
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

    response = client.post(ENROL, {"token": code(device)})
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
    assert client.post(ENROL, {"token": code(newer)}).status_code == 302
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
