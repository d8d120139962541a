"""Referrals of a request to another agency."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models.requests import Request
from stations.access import ScopedQuerySet


class ReferralQuerySet(ScopedQuerySet):
    station_lookup = "request__station"
    district_lookup = "request__station__district"


class Referral(models.Model):
    """转介: the request handed to an organisation or resource, why, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待反馈")
        ACCEPTED = "accepted", _("已接收")
        DONE = "done", _("已办结")
        DECLINED = "declined", _("未接收")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.CharField(_("转介单位/资源"), max_length=100)
    reason = models.TextField(_("转介原因"), max_length=1000)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(_("结果说明"), blank=True, max_length=1000)
    referred_at = models.DateTimeField(_("转介时间"), default=timezone.now)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["referred_at"]

    def __str__(self):
        return self.organisation
