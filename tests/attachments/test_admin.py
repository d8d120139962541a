"""The attachments admin: a read-only list, within the user's scope; files are added and removed only on
the records' pages (checked, audited)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from attachments import services
from tests.attachments import samples as s
from tests.projects import factories as pf

CHANGELIST = reverse("admin:attachments_attachment_changelist")


@pytest.fixture
def attachments(worker, other_worker, far_worker, guoyuan, jixianli, guangkai):
    made = {}
    for user, station, name in [
        (worker, guoyuan, "果园新村签到表.png"),
        (other_worker, jixianli, "集贤里签到表.png"),
        (far_worker, guangkai, "广开签到表.png"),
    ]:
        activity = pf.make_activity(station)
        made[name] = services.attach_file(
            acting_user=user, owner=activity, uploaded_file=s.upload(s.png_bytes(), name)
        )
    return made


def test_the_admin_lists_everything_and_changes_nothing(client, admin_user, attachments):
    client.force_login(admin_user)
    html = client.get(CHANGELIST).content.decode()
    assert all(name in html for name in attachments)
    assert client.get(reverse("admin:attachments_attachment_add")).status_code == 403
    one = attachments["果园新村签到表.png"]
    change = client.get(reverse("admin:attachments_attachment_change", args=[one.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert (
        client.post(
            reverse("admin:attachments_attachment_delete", args=[one.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    one.refresh_from_db()
    assert one.removed_at is None


def test_district_staff_with_the_view_permission_see_their_district_only(client, district_user, attachments):
    district_user.is_staff = True
    district_user.save()
    district_user.user_permissions.add(Permission.objects.get(codename="view_attachment"))
    client.force_login(district_user)
    html = client.get(CHANGELIST).content.decode()
    assert "果园新村签到表.png" in html and "集贤里签到表.png" in html
    assert "广开签到表.png" not in html
    far = attachments["广开签到表.png"]
    assert client.get(reverse("admin:attachments_attachment_change", args=[far.pk])).status_code == 404


def test_staff_without_the_permission_are_refused(client, district_user, attachments):
    district_user.is_staff = True
    district_user.save()
    client.force_login(district_user)
    assert client.get(CHANGELIST).status_code == 403
