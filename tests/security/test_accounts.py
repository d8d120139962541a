"""Accounts (issue 14, item 5 and 9): nobody chooses another person's working password; a district
centre account cannot obtain a session as a station user; every password set, reset and change is in
the audit trail; users change their own password, and must when an admin says so."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from stations.audit import AuditLogEntry
from stations.models import User
from tests import factories as f
from tests.security.conftest import PASSWORD, login
from tests.stations.factories import make_staff

CHOSEN = "Chosen-by-District-77"


@pytest.fixture
def district_admin(district_user):
    return make_staff(district_user)


def password_page(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def logs_in(username, password) -> bool:
    """Whether a fresh browser gets a session as `username` with `password` (the real login form)."""
    client = Client()
    response = login(client, username, password)
    return response.status_code == 302 and client.session.get("_auth_user_id") is not None


def password_events(user):
    entries = AuditLogEntry.objects.filter(content_type__model="user", object_id=user.pk).order_by("pk")
    return [
        entry.changes_dict["password"][1] for entry in entries if "password" in (entry.changes_dict or {})
    ]


def issued_link(response) -> str:
    return re.search(r'value="(http[^"]+/account/activate/[^"]+)"', response.content.decode()).group(1)


# --- A district account cannot obtain a session as a station user -------------------------------------


def test_a_district_account_cannot_create_a_station_head_it_can_log_in_as(client, district_admin, guoyuan):
    client.force_login(district_admin)
    response = client.post(
        reverse("admin:stations_user_add"),
        {
            "username": "st-120113001-9",
            "name": "新站长",
            "role": User.Role.STATION_HEAD,
            "station": guoyuan.pk,
            "usable_password": "true",
            "password1": CHOSEN,
            "password2": CHOSEN,
        },
    )
    assert response.status_code == 302
    assert not logs_in("st-120113001-9", CHOSEN)
    head = User.objects.get(username="st-120113001-9")
    assert not head.has_usable_password() and head.pending_confirmation
    # … nor get its activation link: that is for a city admin to issue.
    assert client.post(password_page(head), {"issue_link": "1"}).status_code == 403
    assert 'name="issue_link"' not in client.get(password_page(head)).content.decode()
    head.refresh_from_db()
    assert not head.has_usable_password()


def test_a_district_account_cannot_set_or_reset_a_workers_password(client, district_admin, worker2):
    client.force_login(district_admin)
    # Django's own set-password form is gone: the posted password is not set.
    data = {"password1": CHOSEN, "password2": CHOSEN, "usable_password": "true", "set_password": "1"}
    response = client.post(password_page(worker2), data)
    assert response.status_code == 200 and "系统不为他人设定密码" in response.content.decode()
    assert not logs_in(worker2.username, CHOSEN)
    # No reset link for a station account either.
    assert client.post(password_page(worker2), {"issue_link": "1"}).status_code == 403
    assert logs_in(worker2.username, PASSWORD)  # the worker's own password still works


def test_re_roling_a_colleague_to_station_head_holds_the_account(client, district_admin, beichen, guoyuan):
    colleague = f.make_user("dc-120113-2", User.Role.DISTRICT_STAFF, district=beichen, name="区同事")
    client.force_login(district_admin)
    data = (
        client.get(reverse("admin:stations_user_change", args=[colleague.pk]))
        .context["adminform"]
        .form.initial
    )
    form = {k: v for k, v in data.items() if v is not None and k in ("username", "name", "phone", "email")}
    form.update(role=User.Role.STATION_HEAD, station=guoyuan.pk, is_active="on")
    for prefix in ("certificates", "assignments"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:stations_user_change", args=[colleague.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    colleague.refresh_from_db()
    assert colleague.role == User.Role.STATION_HEAD
    assert colleague.pending_confirmation and not colleague.has_usable_password()
    assert not logs_in("dc-120113-2", PASSWORD)


def test_a_district_account_issues_links_for_its_district_colleagues_only(district_admin, beichen, nankai):
    from stations.accounts import may_issue_link

    colleague = f.make_user("dc-120113-3", User.Role.DISTRICT_STAFF, district=beichen)
    stranger = f.make_user("dc-120104-3", User.Role.DISTRICT_STAFF, district=nankai)
    assert may_issue_link(district_admin, colleague)
    assert not may_issue_link(district_admin, stranger)
    assert not may_issue_link(district_admin, district_admin)


# --- The city admin confirms; the person sets their own password with a one-time link --------------------


def test_the_city_admin_confirms_with_a_one_time_link(client, district_admin, admin_user, guoyuan):
    client.force_login(district_admin)
    client.post(
        reverse("admin:stations_user_add"),
        {
            "username": "st-120113001-8",
            "name": "王芳",
            "role": User.Role.STATION_WORKER,
            "station": guoyuan.pk,
        },
    )
    worker = User.objects.get(username="st-120113001-8")
    assert worker.pending_confirmation

    client.force_login(admin_user)
    response = client.post(password_page(worker), {"issue_link": "1"})
    link = issued_link(response)
    worker.refresh_from_db()
    assert not worker.pending_confirmation and not worker.has_usable_password()

    person = Client()
    form_page = person.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    weak = person.post(set_url, {"new_password1": "Admin@123", "new_password2": "Admin@123"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = person.post(
        set_url, {"new_password1": "Own-choice-Harbour-58", "new_password2": "Own-choice-Harbour-58"}
    )
    assert done.status_code == 302
    assert logs_in("st-120113001-8", "Own-choice-Harbour-58")
    # Single use: the link no longer works.
    assert not Client().get(link, follow=True).context["validlink"]
    events = password_events(worker)
    assert any("待市级管理员确认" in e for e in events)
    assert any("市级管理员确认并发放激活链接" in e for e in events)
    assert "本人通过激活/重置链接设置密码" in events


def test_a_reset_link_stops_the_old_password_and_is_audited(client, admin_user, worker2):
    client.force_login(admin_user)
    link = issued_link(client.post(password_page(worker2), {"issue_link": "1"}))
    assert not logs_in(worker2.username, PASSWORD)
    newer = issued_link(client.post(password_page(worker2), {"issue_link": "1"}))
    assert not Client().get(link, follow=True).context["validlink"]  # replaced by the newer one
    assert Client().get(newer, follow=True).context["validlink"]
    assert sum("发放密码重置链接" in e or "发放激活链接" in e for e in password_events(worker2)) == 2


def test_creating_an_account_sets_no_password(client, admin_user, guoyuan):
    client.force_login(admin_user)
    form = client.get(reverse("admin:stations_user_add")).context["adminform"].form
    assert not {"password1", "password2", "usable_password"} & set(form.fields)


# --- Own password change, forced change ------------------------------------------------------------------


def test_a_user_changes_their_own_password_and_it_is_audited(client, worker, auditor):
    login(client, worker.username)
    url = reverse("security:password-change")
    wrong = client.post(url, {"old_password": "nope", "new_password1": "x", "new_password2": "x"})
    assert "当前密码不正确" in wrong.content.decode()
    guessable = client.post(
        url, {"old_password": PASSWORD, "new_password1": "Xupengze2026!", "new_password2": "Xupengze2026!"}
    )
    assert guessable.status_code == 200 and guessable.context["form"].errors
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Lantern-river-1947",
            "new_password2": "Lantern-river-1947",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code in (200, 302)  # still logged in
    assert logs_in(worker.username, "Lantern-river-1947") and not logs_in(worker.username, PASSWORD)
    assert password_events(worker) == ["本人修改密码"]
    entries = AuditLogEntry.objects.filter(object_id=worker.pk, content_type__model="user")
    entry = next(e for e in entries if "password" in e.changes_dict)
    assert entry.actor == worker
    auditor_client = Client()
    auditor_client.force_login(auditor)
    assert "本人修改密码" in auditor_client.get(reverse("security:audit-changes")).content.decode()


def test_a_forced_change_comes_before_anything_else(client, worker):
    worker.must_change_password = True
    worker.save()
    login(client, worker.username)
    response = client.get(reverse("residents:request-queue"))
    assert response.status_code == 302 and response.url == reverse("security:password-change")
    assert client.get(reverse("security:password-change")).status_code == 200
    client.post(
        reverse("security:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Lantern-river-1947",
            "new_password2": "Lantern-river-1947",
        },
    )
    worker.refresh_from_db()
    assert not worker.must_change_password
    assert client.get(reverse("residents:request-queue")).status_code == 200


def test_a_password_set_from_a_script_is_audited_too(worker2):
    worker2.set_password("Another-long-phrase-31")
    worker2.save()
    assert password_events(worker2) == ["设置密码"]


# --- Guessable passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Admin@123", "Qwer1234!", "Tianjin@2026", "Sws@2026", "Zhangwei1988!"])
def test_guessable_passwords_that_meet_the_character_rules_are_refused(password):
    user = User(username="zhangwei", name="张伟")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    assert any("容易被猜到" in message for message in error.value.messages)


def test_a_username_plus_digits_is_refused():
    with pytest.raises(ValidationError):
        validate_password("Xupengze2026", User(username="xupengze"))


@pytest.mark.parametrize("password", ["sws-demo-2026", "Lantern-river-1947"])
def test_the_demo_password_and_a_passphrase_pass(password):
    validate_password(password, User(username="st-120113001-1", name="徐芃泽"))


def test_a_link_expires_after_72_hours(client, admin_user, worker2):
    import datetime

    from freezegun import freeze_time

    client.force_login(admin_user)
    link = issued_link(client.post(password_page(worker2), {"issue_link": "1"}))
    # Django's token clock is the process's local naive time (Asia/Shanghai): freeze that one.
    now = datetime.datetime.now()
    with freeze_time(now + datetime.timedelta(hours=71)):
        assert Client().get(link, follow=True).context["validlink"]
    with freeze_time(now + datetime.timedelta(hours=73)):
        assert not Client().get(link, follow=True).context["validlink"]


def test_moving_a_station_account_to_another_station_holds_it(district_admin, worker2, jixianli):
    from stations.accounts import needs_city_confirmation

    previous = User.objects.get(pk=worker2.pk)
    worker2.station = jixianli
    assert needs_city_confirmation(district_admin, worker2, previous)
    worker2.station = previous.station
    worker2.name = "李静（改名）"
    assert not needs_city_confirmation(district_admin, worker2, previous)


def test_admins_can_require_a_password_change_in_admin(client, admin_user, worker2):
    client.force_login(admin_user)
    form = client.get(reverse("admin:stations_user_change", args=[worker2.pk])).context["adminform"].form
    assert "must_change_password" in form.fields
