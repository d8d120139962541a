"""Activities held by a station, within a project or on their own."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models.common import StationScopedQuerySet
from projects.models.projects import Project
from stations.locking import Versioned
from stations.models import Community, Station

# --- Activities --------------------------------------------------------------------------------------


class ActivityQuerySet(StationScopedQuerySet):
    def with_list_columns(self):
        return self.select_related("project").prefetch_related("communities")

    def in_year(self, year: int):
        """Activities dated in calendar year `year` (the annual plan's progress)."""
        return self.filter(date__year=year)

    def totals(self):
        """{'count', 'sessions', 'person_times', 'volunteers'} over the queryset, in one query."""
        row = self.aggregate(
            n=Count("pk"),
            total_sessions=Sum("sessions"),
            total_person_times=Sum("person_times"),
            total_volunteers=Sum("volunteers"),
        )
        return {
            "count": row["n"],
            "sessions": row["total_sessions"] or 0,
            "person_times": row["total_person_times"] or 0,
            "volunteers": row["total_volunteers"] or 0,
        }


class Activity(Versioned):
    """服务活动: one piece of casework, group work or community work, counted in sessions and person-times."""

    class Method(models.TextChoices):
        CASEWORK = "casework", _("个案")
        GROUP = "group", _("小组")
        COMMUNITY = "community", _("社区")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="activities"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("所属项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    date = models.DateField(_("日期"), default=timezone.localdate)
    title = models.CharField(_("活动名称"), max_length=100)
    method = models.CharField(_("服务方法"), max_length=10, choices=Method.choices)
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="activities"
    )
    sessions = models.PositiveIntegerField(_("场次"), default=1, validators=[MinValueValidator(1)])
    person_times = models.PositiveIntegerField(_("服务人次"), default=0)
    volunteers = models.PositiveIntegerField(_("参与志愿者（人）"), default=0)
    for_community_workers = models.BooleanField(
        _("社区工作者能力提升"),
        default=False,
        help_text=_("面向社区工作者的培训、督导等，计入实施方案“提升社区工作人员专业能力”。"),
    )
    notes = models.TextField(_("备注"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = _("服务活动")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["station", "date"], name="activity_station_date_idx"),
            # The city's figures for a period (per station or district, by month) read one date range of
            # this index with the summed columns in it, not every activity of every year.
            models.Index(
                fields=["date", "station", "sessions", "person_times", "for_community_workers"],
                name="activity_date_idx",
            ),
        ]
        constraints = [models.CheckConstraint(condition=Q(sessions__gte=1), name="activity_sessions_min_1")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        return reverse("projects:activity-detail", args=[self.pk])

    def clean(self):
        # Forms limit the choices already; this also guards the admin, which sees every station.
        if self.station_id and self.project_id and self.project.station_id != self.station_id:
            raise ValidationError({"project": _("只能选择本站的项目。")})
