"""The pages: upload from an owner's page, download through the scoped view (logged), remove; outside
the scope everything is a 404, like a missing attachment."""

import pytest
from django.urls import reverse

from attachments import registry, services
from attachments.models import Attachment
from stations.audit import PersonalDataAccess
from tests import factories as f
from tests.attachments import samples as s
from tests.attachments.conftest import stored_files
from tests.projects import factories as pf


@pytest.fixture
def activity(guoyuan):
    return pf.make_activity(guoyuan, title="重阳节敬老活动")


@pytest.fixture
def photo(worker2, activity):
    return services.attach_file(
        acting_user=worker2,
        owner=activity,
        uploaded_file=s.upload(s.jpeg_bytes(gps=True), "合影.jpg"),
        kind="photo",
    )


def as_user(client, user):
    client.force_login(user)
    return client


def upload_url(owner):
    return reverse("attachments:upload", args=[owner._meta.label_lower, owner.pk])


def download_url(attachment):
    return reverse("attachments:download", args=[attachment.pk])


# --- Upload -----------------------------------------------------------------------------------------------


def test_upload_from_the_activity_page_and_see_it_listed(client, worker2, activity):
    as_user(client, worker2)
    page = client.get(activity.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'enctype="multipart/form-data"' in html
        and 'capture="environment"' in html
        and upload_url(activity) in html
    )
    response = client.post(
        upload_url(activity),
        {
            "attachment-photo": s.upload(s.jpeg_bytes(), "签到表.jpg"),
            "attachment-kind": "sign_in",
            "attachment-caption": "上午场",
            "next": activity.get_absolute_url(),
        },
    )
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.caption, attachment.original_name) == (
        "sign_in",
        "上午场",
        "签到表.jpg",
    )
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "签到表.jpg" in html and download_url(attachment) in html and "上午场" in html


def test_a_refused_file_is_answered_with_the_reason_and_nothing_saved(
    client, worker2, activity, private_storage
):
    response = as_user(client, worker2).post(
        upload_url(activity), {"attachment-file": s.upload(s.SVG_SCRIPT, "logo.png")}
    )
    assert response.status_code == 400
    assert "不能上传 SVG" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_a_polyglot_through_the_page_is_refused(client, worker2, activity):
    response = as_user(client, worker2).post(
        upload_url(activity), {"attachment-photo": s.upload(s.jpeg_zip_polyglot(), "photo.jpg")}
    )
    assert response.status_code == 400 and "夹带了其他文件" in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_oversize_file_is_refused(client, worker2, activity, settings):
    settings.SWS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = s.upload(s.pdf_bytes() + b"%" + b"x" * (1024 * 1024), "big.pdf")
    response = as_user(client, worker2).post(upload_url(activity), {"attachment-file": big})
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_nothing_chosen_or_two_files(client, worker2, activity):
    as_user(client, worker2)
    assert "请拍照或选择一个文件" in client.post(upload_url(activity), {}).content.decode()
    both = {
        "attachment-photo": s.upload(s.jpeg_bytes(), "a.jpg"),
        "attachment-file": s.upload(s.pdf_bytes(), "b.pdf"),
    }
    assert "一次只能上传一个文件" in client.post(upload_url(activity), both).content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("who", ["other_worker", "far_worker", "district_user", "city_user"])
def test_uploading_to_a_record_outside_ones_station_is_a_404(client, request, who, activity):
    response = as_user(client, request.getfixturevalue(who)).post(
        upload_url(activity), {"attachment-photo": s.upload(s.jpeg_bytes(), "a.jpg")}
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_forged_owner_fields_on_upload(client, worker2, jixianli, activity):
    """The owner is the URL's, checked against scope; a forged owner in the body changes nothing, an
    unregistered or unknown owner type is a 404, and another station's record is a 404."""
    theirs = pf.make_activity(jixianli, title="集贤里活动")
    as_user(client, worker2)
    forged_body = {
        "attachment-photo": s.upload(s.jpeg_bytes(), "a.jpg"),
        "content_type": "1",
        "object_id": str(theirs.pk),
        "station": str(jixianli.pk),
        "uploaded_by": "1",
        "attachment-kind": "photo",
    }
    assert client.post(upload_url(theirs), forged_body).status_code == 404
    forged_body["attachment-photo"] = s.upload(s.jpeg_bytes(), "a.jpg")
    assert client.post(upload_url(activity), forged_body).status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.object_id, attachment.station_id, attachment.uploaded_by) == (
        activity.pk,
        activity.station_id,
        worker2,
    )
    for owner_type, owner_id in [("stations.user", worker2.pk), ("residents.resident", 1), ("nope", 1)]:
        response = client.post(reverse("attachments:upload", args=[owner_type, owner_id]), forged_body)
        assert response.status_code == 404
    assert (
        client.post(reverse("attachments:upload", args=["projects.activity", 2**63]), {}).status_code == 404
    )


def test_the_upload_page_works_on_its_own(client, worker2, activity):
    response = as_user(client, worker2).get(upload_url(activity))
    assert response.status_code == 200 and "拍照上传" in response.content.decode()


# --- Download -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker2", "worker", "district_user", "city_user", "admin_user"])
def test_download_in_scope_is_served_as_an_attachment_and_logged(
    client, request, who, photo, private_storage
):
    user = request.getfixturevalue(who)
    response = as_user(client, user).get(download_url(photo))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == (private_storage / photo.file.name).read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%BD%B1.jpg" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    access = PersonalDataAccess.objects.get(user=user)
    assert access.action == PersonalDataAccess.Action.DOWNLOAD and access.path == download_url(photo)


def test_images_may_be_shown_inline_and_nothing_else(client, worker2, activity, photo):
    as_user(client, worker2)
    assert client.get(download_url(photo) + "?inline=1")["Content-Disposition"].startswith("inline")
    pdf = services.attach_file(
        acting_user=worker2, owner=activity, uploaded_file=s.upload(s.pdf_bytes(), "a.pdf")
    )
    assert client.get(download_url(pdf) + "?inline=1")["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["other_worker", "far_worker", "other_district_user"])
def test_download_outside_scope_is_a_404_and_not_logged(client, request, who, photo):
    response = as_user(client, request.getfixturevalue(who)).get(download_url(photo))
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_download_anonymous_goes_to_login(client, photo):
    response = client.get(download_url(photo))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_auditor_downloads_nothing(client, photo):
    auditor = f.make_user("auditor", "auditor", name="审计员")
    assert as_user(client, auditor).get(download_url(photo)).status_code == 403


def test_url_tampering_with_the_id(client, worker2, photo):
    as_user(client, worker2)
    for pk in (photo.pk + 1, 0, 2**63, 10**30):
        assert client.get(f"/attachments/{pk}/").status_code == 404


def test_a_removed_attachment_is_no_longer_served(client, worker2, photo):
    services.remove_attachment(acting_user=worker2, attachment=photo)
    assert as_user(client, worker2).get(download_url(photo)).status_code == 404


def test_the_owner_decides_who_reads(client, worker2, photo, monkeypatch):
    """A stricter owner rule (as casework registers for cases) closes the download and the panel even to
    the station's own staff."""
    rule = registry.rule_for(photo.owner)
    strict = registry.OwnerRule(**{**rule.__dict__, "can_read": lambda user, owner: False})
    monkeypatch.setitem(registry._rules, rule.label, strict)
    as_user(client, worker2)
    assert client.get(download_url(photo)).status_code == 404
    assert "合影.jpg" not in client.get(photo.owner.get_absolute_url()).content.decode()


def test_the_owners_residents_are_in_the_access_log(client, worker2, photo, monkeypatch):
    rule = registry.rule_for(photo.owner)
    with_residents = registry.OwnerRule(**{**rule.__dict__, "residents": lambda owner: [41, 42]})
    monkeypatch.setitem(registry._rules, rule.label, with_residents)
    as_user(client, worker2).get(download_url(photo))
    access = PersonalDataAccess.objects.get()
    assert sorted(access.residents.values_list("resident_id", flat=True)) == [41, 42]


# --- Remove ----------------------------------------------------------------------------------------------


def test_remove_asks_then_removes(client, worker2, activity, photo):
    as_user(client, worker2)
    html = client.get(activity.get_absolute_url()).content.decode()
    remove_url = reverse("attachments:remove", args=[photo.pk])
    assert remove_url in html
    assert "确定删除" in client.get(remove_url).content.decode()
    assert client.post(remove_url, {}).status_code == 400  # no confirmation: nothing removed
    assert Attachment.objects.live().exists()
    response = client.post(remove_url, {"next": activity.get_absolute_url(), "confirm": "1"})
    assert response.status_code == 302
    assert not Attachment.objects.live().exists()
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "附件“合影.jpg”已删除" in html and reverse("attachments:download", args=[photo.pk]) not in html


def test_remove_by_someone_else(client, worker, worker2, other_worker, district_user, photo):
    url = reverse("attachments:remove", args=[photo.pk])
    confirmed = {"confirm": "1"}
    assert (
        as_user(client, district_user).post(url, confirmed).status_code == 403
    )  # reads it, may not remove it
    assert as_user(client, other_worker).post(url, confirmed).status_code == 404
    assert Attachment.objects.live().exists()
    assert as_user(client, worker).post(url, confirmed).status_code == 302  # the head
    assert not Attachment.objects.live().exists()


def test_remove_offers_no_foreign_redirect(client, worker2, photo):
    response = as_user(client, worker2).post(
        reverse("attachments:remove", args=[photo.pk]), {"next": "https://evil.example/", "confirm": "1"}
    )
    assert response["Location"] == photo.owner.get_absolute_url()


# --- The owners' pages ----------------------------------------------------------------------------------


def _page_queries(client, django_assert_max_num_queries, url, bound):
    with django_assert_max_num_queries(bound):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_owner_pages_have_a_bounded_query_count(
    client, worker2, guoyuan, count, django_assert_max_num_queries
):
    activity = pf.make_activity(guoyuan)
    project = pf.make_project(guoyuan)
    entry = pf.make_entry(pf.make_fund(guoyuan), "100.00")
    content = s.pdf_bytes()
    for owner in (activity, project, entry):
        for n in range(count):
            services.attach_file(
                acting_user=worker2, owner=owner, uploaded_file=s.upload(content, f"{n}.pdf")
            )
    as_user(client, worker2)
    client.get("/")  # the session's first-request work out of the way
    _page_queries(client, django_assert_max_num_queries, activity.get_absolute_url(), 16)
    _page_queries(client, django_assert_max_num_queries, entry.get_absolute_url(), 16)
    _page_queries(client, django_assert_max_num_queries, project.get_absolute_url(), 24)
    assert client.get(entry.get_absolute_url()).content.decode().count("attachments/") >= count


def test_the_fund_entry_page_is_scoped(client, other_worker, worker2, guoyuan):
    entry = pf.make_entry(pf.make_fund(guoyuan), "100.00")
    assert as_user(client, other_worker).get(entry.get_absolute_url()).status_code == 404
    other_fund = pf.make_fund(guoyuan, name="另一基金")
    tampered = reverse("projects:fund-entry-detail", args=[other_fund.pk, entry.pk])
    assert as_user(client, worker2).get(tampered).status_code == 404  # the entry of another fund
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200 and "收据与票据" in page.content.decode()
