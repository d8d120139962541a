"""督导 and 个案会议: supervision sessions a district supervisor holds with a worker or a station (with
action items), and case conferences on one case. Supervision notes on a case are its timeline's
SUPERVISION events (casework.models.cases.CaseEvent)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from stations.access import ScopedQuerySet
from stations.locking import Versioned
from stations.models import District, Station


class SupervisionQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district"


class SupervisionSession(Versioned):
    class Form(models.TextChoices):
        INDIVIDUAL = "individual", _("个别督导")
        GROUP = "group", _("团体督导")
        ON_SITE = "on_site", _("现场督导")

    district = models.ForeignKey(District, verbose_name=_("区"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("督导"), on_delete=models.PROTECT, related_name="+"
    )
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("受督导社工"), related_name="+")
    date = models.DateField(_("督导日期"), default=timezone.localdate)
    form = models.CharField(_("督导形式"), max_length=10, choices=Form.choices)
    topics = models.TextField(_("督导主题"), max_length=2000)
    cases = models.ManyToManyField(
        Case, verbose_name=_("讨论的个案"), blank=True, related_name="supervisions"
    )
    notes = models.TextField(_("督导记录"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["station", "date"], name="supervision_station_date_idx")]

    def __str__(self):
        return f"{self.station} {self.date} {self.get_form_display()}"


class SupervisionActionItemQuerySet(ScopedQuerySet):
    station_lookup = "session__station"
    district_lookup = "session__district"


class SupervisionActionItem(Versioned):
    session = models.ForeignKey(SupervisionSession, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("改进事项"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("截止日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = SupervisionActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导改进事项")
        verbose_name_plural = _("督导改进事项")
        ordering = ["due_on", "pk"]


class CaseConference(Versioned):
    """个案会议: who met on a case (workers, 居委会, partners, family), what they decided; its follow-up
    tasks are CaseTasks pointing back here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    date = models.DateField(_("会议日期"), default=timezone.localdate)
    participants = models.TextField(
        _("参会人员"), max_length=1000, help_text=_("社工、居委会、合作方、家属等。")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参会社工"), blank=True, related_name="+"
    )
    decisions = models.TextField(_("会议决定"), max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案会议")
        verbose_name_plural = _("个案会议")
        ordering = ["case", "-date"]
