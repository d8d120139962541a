"""A registry import (台账导入): who imported which file into which scope, and how many rows did what.

One row per committed import, written with its audit entry in the import's transaction (the rows
themselves are bulk-written, so the audit trail holds the import as one entry with its row count)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet
from stations.models import Station


class RegistryImportQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"


class RegistryImport(models.Model):
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("数据行数"))
    created = models.PositiveIntegerField(_("新登记居民"))
    updated = models.PositiveIntegerField(_("更新居民"))
    statuses = models.PositiveIntegerField(_("新增保障状态"))
    households = models.PositiveIntegerField(_("新建户"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    objects = RegistryImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name}（{self.rows}行）"


class RegistryImportJobQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"

    def of(self, user):
        """The user's own jobs in her scope: only the uploader sees a job (the file is hers)."""
        return self.visible_to(user).filter(uploaded_by=user)


class RegistryImportJob(models.Model):
    """A dry run or an import of an uploaded 台账, run in the background (residents.tasks) with its
    progress. The upload is kept in the database, never under a URL, and only while it may still be
    imported: it is cleared when the job is committed or refused (see registry_import.jobs)."""

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("试导入")
        COMMIT = "commit", _("导入")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("正在检查")
        WRITING = "writing", _("正在写入")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未通过")

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.WRITING)

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField(_("文件内容"), editable=False, default=b"")
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("数据行数"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("已检查行数"), default=0)
    # The outcome: counts, the first row errors (Chinese, row and column) and their number, or a message.
    result = models.JSONField(_("结果"), default=dict, blank=True)
    record = models.ForeignKey(
        RegistryImport,
        verbose_name=_("导入记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RegistryImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入任务")
        verbose_name_plural = _("台账导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="import_job_uploader_idx")]

    def __str__(self):
        return f"{self.file_name}（{self.get_mode_display()}，{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("residents:registry-import-job", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.rows_checked * 100 // self.total_rows)

    @property
    def may_commit(self) -> bool:
        """A dry run that passed, whose file is still kept: the uploader may import it as checked."""
        return (
            self.mode == self.Mode.DRY_RUN
            and self.status == self.Status.DONE
            and bool(self.result.get("ok"))
            and not self.result.get("expired")
        )
