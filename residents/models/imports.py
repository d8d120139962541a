"""A registry import (台账导入): who imported which file into which scope, and how many rows did what.

One row per committed import, written with its audit entry in the import's transaction (the rows
themselves are bulk-written, so the audit trail holds the import as one entry with its row count)."""

from django.conf import settings
from django.db import models
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
