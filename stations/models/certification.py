"""Workers' certificates and the one rule for a worker's certification state."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet

CERTIFICATION_PERIOD_YEARS = 2  # an uncertified worker must be certified within two years of joining
DEADLINE_WARNING_DAYS = 90


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def certification_deadline(start: datetime.date) -> datetime.date:
    """The last day by which a worker who joined on `start` must hold a certificate."""
    return add_years(start, CERTIFICATION_PERIOD_YEARS)


def latest_start_due_by(day: datetime.date) -> datetime.date:
    """The latest join date whose certification deadline falls on or before `day`.

    The database compares join dates, so the deadline rule is inverted here, in one place. A plain
    `add_years(day, -2)` is wrong around 29 February: joining on 2024-02-29 gives the deadline
    2026-02-28, the same as joining on 2024-02-28.
    """
    start = add_years(day, -CERTIFICATION_PERIOD_YEARS)
    following = start + datetime.timedelta(days=1)
    return following if certification_deadline(following) <= day else start


class CertificationState(models.TextChoices):
    CERTIFIED = "certified", _("持证")
    PENDING = "pending", _("待持证")
    NEAR = "near", _("持证期限临近")
    PASSED = "passed", _("持证期限已过")

    @classmethod
    def of(cls, *, certified: bool, start_date: datetime.date, today: datetime.date) -> "CertificationState":
        """The one rule of a worker's certification: certified, or else by the two-year deadline from
        `start_date`: passed, near (within DEADLINE_WARNING_DAYS) or pending. Used by the model methods,
        the station dashboard, the report builder and the workforce figures alike."""
        if certified:
            return cls.CERTIFIED
        deadline = certification_deadline(start_date)
        if deadline < today:
            return cls.PASSED
        if (deadline - today).days <= DEADLINE_WARNING_DAYS:
            return cls.NEAR
        return cls.PENDING


class CertificateQuerySet(ScopedQuerySet):
    station_lookup = "user__station"
    district_lookup = "user__district_scope"


class Certificate(models.Model):
    """社会工作者职业资格证书."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    user = models.ForeignKey(
        "User", verbose_name=_("持证人"), on_delete=models.CASCADE, related_name="certificates"
    )
    level = models.CharField(_("等级"), max_length=20, choices=Level.choices)
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issued_on = models.DateField(_("取得日期"))

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("职业资格证书")
        verbose_name_plural = _("职业资格证书")
        ordering = ["issued_on"]

    def __str__(self):
        return f"{self.get_level_display()} {self.number}"
