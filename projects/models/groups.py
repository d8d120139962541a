"""Cultivated groups: volunteer teams and community organisations."""

import datetime

from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.common import StationScopedQuerySet
from stations.locking import Versioned
from stations.models import Community, Station

# --- Volunteer teams and community social organisations ----------------------------------------------


class GroupStatus(models.TextChoices):
    INCUBATING = "incubating", _("孵化中")
    ACTIVE = "active", _("活跃")
    REGISTERED = "registered", _("已登记备案")


class CultivatedGroup(Versioned):
    """What volunteer teams and community social organisations have in common."""

    Status = GroupStatus

    name = models.CharField(_("名称"), max_length=100)
    focus = models.CharField(_("服务内容"), max_length=200, blank=True)
    members = models.PositiveIntegerField(_("成员（人）"), default=0)
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=GroupStatus.choices, default=GroupStatus.INCUBATING
    )
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class CultivatedGroupQuerySet(StationScopedQuerySet):
    def founded_by(self, day: datetime.date):
        """The groups that exist on `day` (founded that day or before): what plans and dashboards count."""
        return self.filter(founded_on__lte=day)


class VolunteerTeamQuerySet(CultivatedGroupQuerySet):
    def with_member_count(self, on: datetime.date | None = None):
        """`member_count`: the volunteers whose membership is in force on `on` (today), one subquery."""
        on = on or timezone.localdate()
        current = Q(memberships__joined_on__lte=on) & (
            Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=on)
        )
        return self.annotate(member_count=Count("memberships__volunteer", filter=current, distinct=True))


class VolunteerTeam(CultivatedGroup):
    """志愿服务队 cultivated by the station (针锋裁缝, 爱心扫把 …)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="volunteer_teams"
    )

    # The team's size is its current memberships (`member_count`), not a typed number. The number typed
    # before volunteers were registered is kept, read-only, as what the team declared then.
    members = None
    members_declared = models.PositiveIntegerField(_("登记队员前填报人数"), default=0, editable=False)

    objects = VolunteerTeamQuerySet.as_manager()

    class Meta(CultivatedGroup.Meta):
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="team_unique_per_station")]

    def get_absolute_url(self):
        return reverse("projects:team-detail", args=[self.pk])


class CommunityOrganisation(CultivatedGroup):
    """社区社会组织 cultivated by the station (邻里串门, 便民维修, 文艺指导 …)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="organisations"
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="organisations"
    )

    objects = CultivatedGroupQuerySet.as_manager()

    class Meta(CultivatedGroup.Meta):
        verbose_name = _("社区社会组织")
        verbose_name_plural = _("社区社会组织")
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="organisation_unique_per_station")
        ]

    def get_absolute_url(self):
        return reverse("projects:organisation-detail", args=[self.pk])
