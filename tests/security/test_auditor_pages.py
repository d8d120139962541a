"""The auditor's pages: the auditor reads every audit record city-wide and sees nothing of the case
data; every other role gets 403 there, anonymous users the login page."""

import datetime
import re

import pytest
from auditlog.context import set_actor
from axes.models import AccessFailureLog, AccessLog
from django.test import RequestFactory
from django.utils import timezone

from residents.models import Request, Resident
from stations.audit import PersonalDataAccess, record_access
from stations.models import Station, User
from tests.factories import make_request
from tests.security.conftest import make_resident

PAGES = [
    "/audit/",
    "/audit/access/",
    "/audit/logins/",
    "/audit/logins/?kind=logins",
    "/audit/residents/",
    "/audit/residents/1/",
]


def access_request(user, ip="10.0.0.8", path="/residents/"):
    request = RequestFactory().get(path, REMOTE_ADDR=ip)
    request.user = user
    return request


@pytest.mark.parametrize("url", PAGES)
def test_the_auditor_reads_every_page(client, auditor, url):
    client.force_login(auditor)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "who", ["worker", "other_worker", "district_user", "city_user", "admin_user", "far_worker"]
)
def test_everybody_else_is_refused(client, request, who, url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_an_inactive_auditor_is_refused(client, auditor):
    client.force_login(auditor)
    User.objects.filter(pk=auditor.pk).update(is_active=False)
    assert client.get("/audit/").status_code in (302, 403)


def test_the_auditor_sees_nothing_of_the_case_data(auditor, worker, guoyuan, chaoyangli):
    resident = make_resident(chaoyangli)
    make_request(guoyuan, chaoyangli, user=worker, resident=resident)
    assert not Resident.objects.visible_to(auditor).exists()
    assert not Request.objects.visible_to(auditor).exists()
    assert not Station.objects.visible_to(auditor).exists()
    assert not Resident.objects.editable_by(auditor).exists()
    assert not User.objects.visible_to(auditor).exists()


def test_the_auditor_lands_on_the_audit_trail_with_its_navigation(client, auditor):
    client.force_login(auditor)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/audit/"
    page = client.get("/audit/").content.decode()
    assert 'href="/audit/access/"' in page and 'href="/audit/logins/"' in page


def test_changes_list_shows_who_what_where_and_filters(client, auditor, worker, admin_user, guoyuan):
    with set_actor(worker, remote_addr="10.9.8.7"):
        guoyuan.address = "果园新村街道北辰道1号"
        guoyuan.save()
    with set_actor(admin_user, remote_addr="10.1.1.1"):
        guoyuan.phone = "022-26391234"
        guoyuan.save()
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "果园新村街道北辰道1号" in page and "10.9.8.7" in page and worker.username in page

    filtered = client.get("/audit/", {"user": admin_user.username}).content.decode()
    assert "10.1.1.1" in filtered and "10.9.8.7" not in filtered

    from django.contrib.contenttypes.models import ContentType

    station_type = ContentType.objects.get_for_model(Station).pk
    user_type = ContentType.objects.get_for_model(User).pk
    assert "10.9.8.7" in client.get("/audit/", {"model": station_type}).content.decode()
    assert "10.9.8.7" not in client.get("/audit/", {"model": user_type}).content.decode()

    today = timezone.localdate()
    assert "10.9.8.7" in client.get("/audit/", {"date_from": today, "date_to": today}).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    assert "10.9.8.7" not in client.get("/audit/", {"date_from": tomorrow}).content.decode()


def test_the_filter_form_submitted_as_is_hides_nothing(client, auditor, worker, guoyuan):
    """Every select starts empty, so submitting the untouched form filters nothing out."""
    with set_actor(worker, remote_addr="10.9.9.9"):
        guoyuan.phone = "022-1"
        guoyuan.save()
    client.force_login(auditor)
    for url in ("/audit/", "/audit/access/", "/audit/logins/"):
        page = client.get(url).content.decode()
        main = page[page.index("<main") : page.index("</main>")]  # not the footer's language switch
        for select in re.findall(r"<select[^>]*>.*?</select>", main, re.S):
            first = re.search(r"<option[^>]*>", select).group(0)
            assert 'value=""' in first, (url, select[:200])
    untouched = {"user": "", "model": "", "action": "", "object_id": "", "date_from": "", "date_to": ""}
    assert "10.9.9.9" in client.get("/audit/", untouched).content.decode()


def test_a_creation_shows_its_values_without_relation_noise(client, auditor, worker, chaoyangli):
    with set_actor(worker):
        resident = make_resident(chaoyangli, name="王秀英", address="朝阳里3号楼", phone="13812345678")
    client.force_login(auditor)
    page = client.get("/audit/", {"object_id": resident.pk}).content.decode()
    # Which fields were filled in, not what they hold (the name, address and phone stay out).
    assert "住址" in page and "联系电话" in page and "［已隐去］" in page
    assert "朝阳里3号楼" not in page and "王秀英" not in page and "5678" not in page
    assert f"#{chaoyangli.pk}" in page  # the community, by id
    assert ".None" not in page  # no reverse relations ("residents.Request.None")


def test_access_list_and_its_filters(client, auditor, worker, worker2, chaoyangli):
    resident = make_resident(chaoyangli)
    other = make_resident(chaoyangli, name="李四")
    record_access(access_request(worker), "view", residents=resident)
    record_access(access_request(worker2, ip="10.0.0.9"), "reveal", residents=other, reason="核对低保材料")
    client.force_login(auditor)
    page = client.get("/audit/access/").content.decode()
    assert "10.0.0.8" in page and "核对低保材料" in page
    by_resident = client.get("/audit/access/", {"resident": resident.pk}).content.decode()
    assert "10.0.0.8" in by_resident and "10.0.0.9" not in by_resident
    by_action = client.get("/audit/access/", {"action": "reveal"}).content.decode()
    assert "10.0.0.9" in by_action and "10.0.0.8" not in by_action


def test_login_records_page(client, auditor):
    now = timezone.now()
    AccessFailureLog.objects.create(
        username="someone", ip_address="10.3.3.3", attempt_time=now, locked_out=True
    )
    AccessLog.objects.create(username="worker-x", ip_address="10.4.4.4", attempt_time=now)
    client.force_login(auditor)
    failures = client.get("/audit/logins/").content.decode()
    assert "10.3.3.3" in failures and "账号已锁定" in failures and "10.4.4.4" not in failures
    logins = client.get("/audit/logins/", {"kind": "logins"}).content.decode()
    assert "10.4.4.4" in logins and "10.3.3.3" not in logins
    assert "10.3.3.3" in client.get("/audit/logins/", {"result": "locked"}).content.decode()
    assert "10.3.3.3" not in client.get("/audit/logins/", {"result": "failed"}).content.decode()


def test_a_residents_history_has_its_changes_and_accesses_only(client, auditor, worker, guoyuan, chaoyangli):
    with set_actor(worker, remote_addr="10.5.5.5"):
        resident = make_resident(chaoyangli, name="王秀英", address="朝阳里3号楼")
        request = make_request(guoyuan, chaoyangli, user=worker, resident=resident)
    with set_actor(worker, remote_addr="10.8.8.8"):
        other = make_resident(chaoyangli, name="赵六", address="朝阳里9号楼")
    record_access(access_request(worker, ip="10.6.6.6"), "view", residents=resident)
    record_access(access_request(worker, ip="10.7.7.7"), "view", residents=other)
    client.force_login(auditor)
    page = client.get(f"/audit/residents/{resident.pk}/").content.decode()
    assert "10.5.5.5" in page  # the resident's creation
    assert request.reference in page  # the request made for them (its text is not shown)
    assert "10.6.6.6" in page
    assert "10.8.8.8" not in page and "10.7.7.7" not in page


def test_resident_lookup_redirects_to_the_history(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/residents/", {"resident_id": "42"})
    assert response.status_code == 302 and response.url == "/audit/residents/42/"
    assert (
        "居民编号应为数字"
        in client.get("/audit/residents/", {"resident_id": "abc"}, follow=True).content.decode()
    )


def _seed(worker, chaoyangli, guoyuan, n):
    for i in range(n):
        with set_actor(worker, remote_addr="10.0.0.1"):
            resident = make_resident(chaoyangli, name=f"居民{i}")
            make_request(guoyuan, chaoyangli, user=worker, resident=resident)
        record_access(access_request(worker), "view", residents=resident)
        AccessFailureLog.objects.create(username=f"u{i}", ip_address="10.0.0.2", attempt_time=timezone.now())


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_in_a_bounded_number_of_queries(
    client, auditor, worker, guoyuan, chaoyangli, django_assert_max_num_queries, url
):
    client.force_login(auditor)
    _seed(worker, chaoyangli, guoyuan, 3)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    _seed(worker, chaoyangli, guoyuan, 30)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    assert PersonalDataAccess.objects.count() == 33
