"""Attaching and removing files: the steps, each taking the acting user and checking her itself.

    from attachments import services

    attachment = services.attach_file(acting_user=user, owner=activity, uploaded_file=f, kind="photo")
    services.remove_attachment(acting_user=user, attachment=attachment)

A refused step raises PermissionDenied (not the owner's reader/attacher) or ValidationError (the file, the
kind, already removed) with a Chinese message. Nothing is half-saved: the file is written to storage
first and removed again if the database row cannot be written; a row never points at a missing file.
If the caller's own transaction rolls back later, the file stays behind without a row:
`manage.py sweep_attachment_files` removes such files (sweep_orphans below).
"""

import hashlib
import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from attachments import registry, validation
from attachments.models import Attachment
from attachments.storage import attachment_storage_object, stored_name
from stations import access
from stations.models import Station

logger = logging.getLogger(__name__)

REMOVED_MESSAGE = "该附件已被删除。"


def _clean_name(name: str) -> str:
    """The uploader's file name without folders or control characters, at most 200 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "附件"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:190] + dot + ext[:8]) if dot else base[:200]
    return base


def attach_file(*, acting_user, owner, uploaded_file, kind: str = "", caption: str = "") -> Attachment:
    """Check `uploaded_file` and keep it as an attachment of `owner` (a registered record)."""
    rule = registry.rule_for(owner)
    access.require(rule.can_attach, acting_user, owner)
    if kind and (kind not in Attachment.Kind.values or (rule.kinds and kind not in rule.kinds)):
        raise ValidationError("请选择有效的附件类别。", code="kind")
    checked = validation.inspect(uploaded_file)
    station_id = rule.station(owner)
    district_id = rule.district(owner)
    if station_id is not None and district_id is None:
        district_id = Station.objects.filter(pk=station_id).values_list("district_id", flat=True).first()
    storage = attachment_storage_object
    name = storage.save(stored_name(checked.type.extension), ContentFile(checked.content))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                owner=owner,
                station_id=station_id,
                district_id=district_id,
                file=name,
                original_name=_clean_name(getattr(uploaded_file, "name", "")),
                file_type=checked.type.code,
                size=len(checked.content),
                sha256=hashlib.sha256(checked.content).hexdigest(),
                kind=kind,
                caption=(caption or "").strip()[:200],
                uploaded_by=acting_user,
            )
            if rule.on_change:
                rule.on_change(acting_user, attachment, "attach")
    except BaseException:
        storage.delete(name)  # no row: no file either
        raise
    return attachment


def may_remove(user, attachment) -> bool:
    """The uploader, or the head of the attachment's station, while she may still attach to the owner."""
    if attachment.is_removed or not user.is_authenticated:
        return False
    if not (
        user.pk == attachment.uploaded_by_id
        or (access.is_station_head(user) and user.station_id == attachment.station_id)
    ):
        return False
    rule = registry.rule_for(attachment.content_type.model_class())
    return rule.can_attach(user, attachment.owner)


def remove_attachment(*, acting_user, attachment) -> Attachment:
    """Soft-delete: the row stays (with who and when) and the file stays in storage; the panel and the
    download view no longer offer it. The change is in the audit trail (auditlog)."""
    access.require(may_remove, acting_user, attachment)
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if locked.is_removed:
            raise ValidationError(REMOVED_MESSAGE, code="removed")
        locked.removed_at = timezone.now()
        locked.removed_by = acting_user
        locked.save(update_fields=["removed_at", "removed_by"])
        rule = registry.rule_for(locked.content_type.model_class())
        if rule.on_change:
            rule.on_change(acting_user, locked, "remove")
    return locked


def sweep_orphans(older_than=None) -> list[str]:
    """Delete stored files that no Attachment row names (left by a caller's rolled-back transaction),
    if older than `older_than` (a timedelta; one hour by default, so an upload in flight is spared).
    The file system storage is walked by month folders; returns the names deleted."""
    import datetime

    older_than = older_than or datetime.timedelta(hours=1)
    storage = attachment_storage_object
    cutoff = timezone.now() - older_than
    deleted = []

    def walk(folder):
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for sub in folders:
            yield from walk(f"{folder}/{sub}" if folder else sub)
        for file in files:
            yield f"{folder}/{file}" if folder else file

    names = list(walk(""))
    known = set()
    for start in range(0, len(names), 500):  # SQLite's limit on a statement's parameters
        chunk = names[start : start + 500]
        known.update(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
    for name in names:
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified < cutoff:
            storage.delete(name)
            deleted.append(name)
    if deleted:
        logger.info("removed %d attachment files without a record", len(deleted))
    return deleted
