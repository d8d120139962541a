"""A case's attachments through the attachments component: the case's workers upload (a consent scan from
a phone camera: EXIF/GPS gone), the case page and the case file list them, the timeline says so; outside
the case's confidentiality rule the upload and the download are 404, and downloads are logged."""

import pytest
from django.urls import reverse
from PIL import Image

from attachments.models import Attachment
from casework.models import CaseEvent
from stations.audit import PersonalDataAccess
from tests import factories as f
from tests.attachments.conftest import private_storage  # noqa: F401  (each test's files in a folder)
from tests.attachments.samples import jpeg_bytes, upload
from tests.casework.factories import make_case, make_supervisor
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return make_case(guoyuan, make_resident(chaoyangli, name="孙秀英"), worker2)


def _upload(client, user, case, kind="consent", name="同意书.jpg", content=None):
    client.force_login(user)
    url = reverse("attachments:upload", args=["casework.case", case.pk])
    data = {
        "attachment-kind": kind,
        "attachment-caption": "监护人签字",
        "attachment-photo": upload(content or jpeg_bytes(gps=True), name),
    }
    return client.post(url, data)


def test_the_lead_worker_uploads_a_consent_scan_it_shows_on_the_page_and_in_the_file(client, case, worker2):
    response = _upload(client, worker2, case)
    assert response.status_code == 302
    attachment = Attachment.objects.of(case).get()
    assert attachment.kind == "consent" and attachment.original_name == "同意书.jpg"
    with attachment.file.open("rb") as stored:
        image = Image.open(stored)
        assert not image.getexif()  # no EXIF, so no GPS tag
    assert CaseEvent.objects.filter(case=case, text__contains="同意书.jpg").exists()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "同意书.jpg" in page
    file_page = client.get(reverse("casework:case-file", args=[case.pk])).content.decode()
    assert "知情同意书扫描件：同意书.jpg" in file_page and "监护人签字" in file_page


def test_outside_the_case_the_upload_and_the_download_are_404(
    client, case, guoyuan, worker2, other_worker, city_user, district_user
):
    _upload(client, worker2, case)
    attachment = Attachment.objects.of(case).get()
    colleague = f.make_user("st-120113001-9", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    supervisor = make_supervisor(district_user)
    download = reverse("attachments:download", args=[attachment.pk])
    before = PersonalDataAccess.objects.count()
    for outsider in (colleague, other_worker, city_user):
        assert _upload(client, outsider, case, name="x.jpg").status_code == 404
        assert client.get(download).status_code == 404
    assert Attachment.objects.of(case).count() == 1
    assert PersonalDataAccess.objects.count() == before  # a refused download is not in the log
    # The supervisor reads (and the read is logged against the client) but does not attach.
    assert _upload(client, supervisor, case, name="y.jpg").status_code == 404
    before = PersonalDataAccess.objects.count()
    assert client.get(download).status_code == 200
    assert PersonalDataAccess.objects.count() == before + 1
    entry = PersonalDataAccess.objects.order_by("-pk").first()
    assert (entry.user, entry.action) == (supervisor, PersonalDataAccess.Action.DOWNLOAD)
    assert case.client_id in set(entry.residents.values_list("resident_id", flat=True))


def test_a_renamed_program_is_refused_with_a_message_and_nothing_saved(client, case, worker2):
    response = _upload(client, worker2, case, name="scan.jpg", content=b"MZ\x90\x00" + b"\x00" * 200)
    assert response.status_code == 400 and not Attachment.objects.of(case).exists()
    assert not CaseEvent.objects.filter(case=case, text__contains="scan.jpg").exists()


def test_the_case_page_offers_the_upload_to_its_workers_only(client, case, worker, worker2, district_user):
    """The page answers "works this case" once for its sections (casework.permissions.page_access): the
    lead and the head get the upload form, the supervisor who reads the case does not."""
    _upload(client, worker2, case)
    upload_url = reverse("attachments:upload", args=["casework.case", case.pk])
    for user, offered in ((worker2, True), (worker, True), (make_supervisor(district_user), False)):
        client.force_login(user)
        page = client.get(case.get_absolute_url()).content.decode()
        assert "同意书.jpg" in page  # each reads the list
        assert (upload_url in page) is offered, user
