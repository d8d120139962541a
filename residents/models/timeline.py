"""The case timeline: append-only events on a request."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models.requests import Request
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable


class TimelineEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "request__station"
    district_lookup = "request__station__district"


class TimelineEvent(AppendOnlyModel):
    """One append-only entry in a request's timeline: who did what, when."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "办理记录"

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        TRIAGED = "triaged", _("研判")
        STATUS = "status", _("状态变更")
        ASSIGNED = "assigned", _("指派")
        NOTE = "note", _("备注")
        REFERRAL = "referral", _("转介")
        REFERRAL_OUTCOME = "referral_outcome", _("转介结果")
        FOLLOW_UP = "follow_up", _("回访")
        REOPENED = "reopened", _("重新办理")
        TRANSFER = "transfer", _("站间转移")
        DISPATCHED = "dispatched", _("区级派单")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(max_length=12, choices=Request.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Request.Status.choices, blank=True)
    text = models.TextField(_("内容"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
