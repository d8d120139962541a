"""attach_file / remove_attachment: the acting user is checked by the step itself, the file is checked
and cleaned, and nothing is half-saved (a row without its file, or a file without its row)."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from PIL import Image

from attachments import registry, services
from attachments.models import Attachment
from attachments.storage import PrivateFileSystemStorage, attachment_storage_object
from stations.audit import AuditLogEntry
from tests.attachments import samples as s
from tests.attachments.conftest import stored_files
from tests.projects import factories as pf


@pytest.fixture
def activity(guoyuan):
    return pf.make_activity(guoyuan, title="重阳节敬老活动")


def attach(user, owner, content=None, name="IMG_2001.jpg", **kwargs):
    return services.attach_file(
        acting_user=user, owner=owner, uploaded_file=s.upload(content or s.jpeg_bytes(), name), **kwargs
    )


def test_a_photo_is_stored_privately_and_described(worker2, activity, private_storage):
    attachment = attach(
        worker2, activity, s.jpeg_bytes(gps=True), name="C:\\Users\\李静\\IMG_2001.JPG", kind="photo"
    )
    attachment.refresh_from_db()
    assert attachment.owner == activity
    assert attachment.station_id == activity.station_id
    assert attachment.uploaded_by == worker2
    assert (attachment.file_type, attachment.kind) == ("jpeg", "photo")
    assert attachment.original_name == "IMG_2001.JPG"  # no folders of the uploader's machine
    [path] = stored_files(private_storage)
    stored = path.read_bytes()
    assert attachment.size == len(stored)
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert path.name.endswith(".jpg") and "IMG_2001" not in path.name  # a random name
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(s.GPS_IFD)  # GPS gone after upload
    with pytest.raises(NotImplementedError):
        attachment_storage_object.url(attachment.file.name)  # no URL for it, ever


def test_the_download_name_says_what_the_file_is(worker2, activity):
    assert attach(worker2, activity, s.pdf_bytes(), name="收据.exe").download_name == "收据.pdf"


@pytest.mark.parametrize("who", ["other_worker", "far_worker", "district_user", "city_user"])
def test_only_the_owners_station_staff_attach(who, request, activity, private_storage):
    with pytest.raises(PermissionDenied):
        attach(request.getfixturevalue(who), activity)
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_a_refused_file_leaves_nothing(worker2, activity, private_storage):
    with pytest.raises(ValidationError) as caught:
        attach(worker2, activity, s.EXE, name="photo.jpg")
    assert "可执行程序" in caught.value.messages[0]
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_a_kind_the_owner_does_not_offer_is_refused(worker2, activity):
    with pytest.raises(ValidationError):
        attach(worker2, activity, kind="receipt")  # activities take photos and sign-in sheets
    with pytest.raises(ValidationError):
        attach(worker2, activity, kind="nonsense")


def test_the_file_is_removed_when_the_row_cannot_be_written(worker2, activity, private_storage, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(Attachment.objects, "create", fail)
    with pytest.raises(IntegrityError):
        attach(worker2, activity)
    assert stored_files(private_storage) == []


def test_the_file_and_row_go_when_the_owners_hook_fails(worker2, activity, private_storage, monkeypatch):
    rule = registry.rule_for(activity)

    def hook(user, attachment, action):
        raise ValidationError("timeline refused")

    monkeypatch.setitem(
        registry._rules, rule.label, registry.OwnerRule(**{**rule.__dict__, "on_change": hook})
    )
    with pytest.raises(ValidationError):
        attach(worker2, activity)
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_no_row_when_the_storage_fails(worker2, activity, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("storage unreachable")

    monkeypatch.setattr(PrivateFileSystemStorage, "save", fail)
    with pytest.raises(OSError):
        attach(worker2, activity)
    assert not Attachment.objects.exists()


def test_the_owners_hook_hears_of_attaching_and_removing(worker2, activity, monkeypatch):
    heard = []
    rule = registry.rule_for(activity)
    hooked = registry.OwnerRule(
        **{**rule.__dict__, "on_change": lambda u, a, action: heard.append((u, action))}
    )
    monkeypatch.setitem(registry._rules, rule.label, hooked)
    attachment = attach(worker2, activity)
    services.remove_attachment(acting_user=worker2, attachment=attachment)
    assert heard == [(worker2, "attach"), (worker2, "remove")]


def test_a_fund_entry_attachment_is_in_its_funds_station(worker, guoyuan):
    entry = pf.make_entry(pf.make_fund(guoyuan), "200.00")
    attachment = attach(worker, entry, s.pdf_bytes(), name="收据.pdf", kind="receipt")
    assert attachment.station_id == guoyuan.pk


# --- Removing ---------------------------------------------------------------------------------------------


def test_the_uploader_removes_softly_and_it_is_audited(worker2, activity, private_storage):
    attachment = attach(worker2, activity)
    removed = services.remove_attachment(acting_user=worker2, attachment=attachment)
    assert removed.removed_by == worker2 and removed.removed_at
    assert Attachment.objects.filter(pk=attachment.pk).exists()  # the row stays …
    assert len(stored_files(private_storage)) == 1  # … and the file
    assert not Attachment.objects.live().exists()
    entries = AuditLogEntry.objects.filter(object_pk=str(attachment.pk), content_type__model="attachment")
    assert entries.filter(action=AuditLogEntry.Action.CREATE).exists()
    assert "removed_at" in entries.get(action=AuditLogEntry.Action.UPDATE).changes


def test_the_station_head_removes_a_colleagues_file(worker, worker2, activity):
    attachment = attach(worker2, activity)
    services.remove_attachment(acting_user=worker, attachment=attachment)  # 徐芃泽 is the head
    assert Attachment.objects.get().removed_by == worker


@pytest.mark.parametrize("who", ["worker2", "other_worker", "district_user", "admin_user"])
def test_others_may_not_remove(who, request, worker, worker2, activity):
    attachment = attach(worker, activity)  # the head's upload: her colleague is not its uploader
    with pytest.raises(PermissionDenied):
        services.remove_attachment(acting_user=request.getfixturevalue(who), attachment=attachment)
    assert Attachment.objects.live().count() == 1


def test_removing_twice_is_refused(worker2, activity):
    attachment = attach(worker2, activity)
    services.remove_attachment(acting_user=worker2, attachment=attachment)
    with pytest.raises(PermissionDenied):
        services.remove_attachment(acting_user=worker2, attachment=Attachment.objects.get())


def test_sweep_removes_files_without_a_row(worker2, activity, private_storage):
    import datetime
    import os

    kept = attach(worker2, activity)
    orphan = private_storage / "2026" / "01" / "orphan.jpg"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(s.jpeg_bytes())
    young = private_storage / "2026" / "01" / "young.jpg"
    young.write_bytes(s.jpeg_bytes())
    old = (datetime.datetime.now() - datetime.timedelta(hours=2)).timestamp()
    os.utime(orphan, (old, old))
    kept_path = private_storage / kept.file.name
    os.utime(kept_path, (old, old))
    assert services.sweep_orphans() == ["2026/01/orphan.jpg"]
    assert kept_path.exists() and young.exists() and not orphan.exists()
