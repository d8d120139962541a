"""A work-order import (工单导入): who imported which spreadsheet for which district, and how many rows did
what. One row per committed import, written with its audit entry in the import's transaction; the rows'
own work orders and requests are written with the audit signals off, so the audit trail holds the import
as one entry with its row count (as residents' RegistryImport does)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from stations.access import ScopedQuerySet
from stations.models import District


class WorkOrderImportQuerySet(ScopedQuerySet):
    district_lookup = "district"


class WorkOrderImport(models.Model):
    # Empty for an admin's import, which may hold orders of several districts.
    district = models.ForeignKey(
        District, verbose_name="区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("数据行数")
    created = models.PositiveIntegerField("新增工单")
    present = models.PositiveIntegerField("已存在工单")
    unplaced = models.PositiveIntegerField("未能定位")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", default=timezone.now)

    objects = WorkOrderImportQuerySet.as_manager()

    class Meta:
        verbose_name = "12345工单导入"
        verbose_name_plural = "12345工单导入"
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name}（{self.rows}行）"
