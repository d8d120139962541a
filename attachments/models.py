"""Attachment: one stored file and the record it belongs to (its owner, through contenttypes)."""

from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attachments.storage import attachment_storage
from attachments.validation import TYPES
from stations import access
from stations.access import ScopedQuerySet
from stations.models import District, Station


class AttachmentQuerySet(ScopedQuerySet):
    station_lookup = "station"
    # Its own district, not the station's: a district's monthly report has files and no station.
    district_lookup = "district"

    def visible_to(self, user):
        if access.is_evaluator(user):
            # An evaluator is in no station's scope: she reads the attachments of the owners that let
            # evaluators in (an evaluation's evidence); every page and download still asks the owner's
            # rule (`can_read`: is she appointed to it?) before showing one.
            from attachments import registry

            models_ = registry.evaluator_models()
            if not models_:
                return self.none()
            types = ContentType.objects.get_for_models(*models_).values()
            return self.filter(content_type__in=[t.pk for t in types])
        return super().visible_to(user)

    def live(self):
        """Not removed."""
        return self.filter(removed_at__isnull=True)

    def of(self, owner):
        """The attachments of one owner record (the owner's rules decide who reads them: registry)."""
        content_type = ContentType.objects.get_for_model(owner)
        return self.filter(content_type=content_type, object_id=owner.pk)


class Attachment(models.Model):
    """附件: a checked file (validation.inspect) kept in the private "attachments" storage.

    Append-only in practice: a file is never replaced; removing one is a soft delete (removed_at, by
    the uploader or the station head, audited) and the stored file stays for the record's retention.
    """

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        SIGN_IN = "sign_in", _("签到表")
        RECEIPT = "receipt", _("收据/票据")
        CONSENT = "consent", _("知情同意书")
        DOCUMENT = "document", _("文件资料")
        OTHER = "other", _("其他")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("所属记录编号"))
    owner = GenericForeignKey("content_type", "object_id")
    # The unit whose scope the file is in: a station's record names its station and that station's
    # district; a district's monthly report its district only; the city's report neither (the city's
    # users and admins read it).
    station = models.ForeignKey(
        Station,
        verbose_name=_("社工站"),
        on_delete=models.PROTECT,
        related_name="attachments",
        null=True,
        blank=True,
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        related_name="attachments",
        null=True,
        blank=True,
    )
    file = models.FileField(_("文件"), storage=attachment_storage, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    file_type = models.CharField(
        _("文件类型"), max_length=8, choices=[(t.code, t.label) for t in TYPES.values()]
    )
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            # An owner's panel: its live attachments, newest first.
            models.Index(fields=["content_type", "object_id", "uploaded_at"], name="attachment_owner_idx"),
            models.Index(fields=["station", "uploaded_at"], name="attachment_station_idx"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def type_info(self):
        return TYPES[self.file_type]

    @property
    def is_image(self) -> bool:
        return self.type_info.is_image

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def download_name(self) -> str:
        """The uploader's name with the extension of what the file really is (a JPEG called 照片.exe is
        offered as 照片.jpg)."""
        stem = PurePath(self.original_name).stem or "附件"
        return f"{stem}.{self.type_info.extension}"
