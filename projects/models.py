"""Service work of a station: projects, activities, resources, volunteers, organisations, funds, plans.

Every model hangs off a station and declares how (`station_lookup`/`district_lookup` on its
`ScopedQuerySet`), so `visible_to(user)` / `editable_by(user)` scope it like the rest of SWS. Rules about
one model live here; workflows (resolving a project's requests, fund outflows, plan approval) live in
`projects.services` and take the acting user explicitly. Plan progress is computed in `projects.progress`.
"""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models import Request
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Community, Station

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class StationScopedQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"


# --- Projects ----------------------------------------------------------------------------------------


class TargetGroup(models.Model):
    """服务对象 of a project (一小一老一残一困 and others); rows created by migration 0002."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    DEFAULTS = [
        ("children", "儿童", 1),  # 一小
        ("elderly", "老人", 2),  # 一老
        ("disabled", "残疾人", 3),  # 一残
        ("hardship", "困难群众", 4),  # 一困
        ("migrant_children", "流动儿童", 5),
        ("families", "家庭", 6),
        ("residents", "社区居民", 7),
        ("volunteers", "志愿者", 8),
    ]

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def ensure_defaults(cls):
        """Create the standard groups if a flushed database lost them (demo, transactional tests)."""
        for code, name, order in cls.DEFAULTS:
            cls.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class ProjectQuerySet(StationScopedQuerySet):
    def with_list_columns(self):
        return self.select_related("station", "lead").prefetch_related("target_groups")

    def running_in(self, year: int):
        """Projects whose period overlaps calendar `year` (open-ended projects run on)."""
        return self.filter(
            Q(start_date__lte=datetime.date(year, 12, 31)),
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)),
        )


class Project(Versioned):
    """服务项目: how a station works — a theme, target groups, communities, a lead worker, a budget."""

    class Theme(models.TextChoices):
        ELDERLY = "elderly", _("为老")
        CHILDREN = "children", _("儿童")
        DISABILITY = "disability", _("助残")
        HARDSHIP = "hardship", _("帮困")
        VOLUNTEERING = "volunteering", _("志愿服务")
        GOVERNANCE = "governance", _("社区治理")
        FIVE_SOCIETY = "five_society", _("五社联动")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PLANNING = "planning", _("筹备中")
        ACTIVE = "active", _("实施中")
        CLOSED = "closed", _("已结项")

    class Funding(models.TextChoices):
        GOVERNMENT = "government", _("政府购买")
        CHARITY = "charity", _("慈善")
        COMMUNITY_FUND = "community_fund", _("社区基金")
        OTHER = "other", _("其他")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=16, choices=Theme.choices)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("服务对象"), blank=True, related_name="projects"
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("覆盖社区"), blank=True, related_name="projects"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("项目负责人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNING)
    budget = models.DecimalField(_("预算（元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    funding_source = models.CharField(
        _("资金来源"), max_length=16, choices=Funding.choices, default=Funding.GOVERNMENT
    )
    is_featured = models.BooleanField(
        _("特色服务项目"), default=False, help_text=_("系统化实施方案中“领办特色服务项目”计入此类项目。")
    )
    workers_involved = models.PositiveIntegerField(
        _("参与社工（人）"), default=0, help_text=_("参与项目的社工人数，含社区工作者，如五社联动项目。")
    )
    description = models.TextField(_("项目简介"), blank=True, max_length=4000)
    requests = models.ManyToManyField(
        Request, verbose_name=_("回应诉求"), blank=True, related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["-start_date", "title"]
        indexes = [models.Index(fields=["station", "status", "start_date"], name="project_station_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
        if self.station_id and self.lead_id and self.lead.station_id != self.station_id:
            raise ValidationError({"lead": _("项目负责人须为本站社工。")})


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


# --- Partners and resources mobilised ----------------------------------------------------------------


class PartnerQuerySet(StationScopedQuerySet):
    pass


class Partner(Versioned):
    """链接单位: an organisation or person a station mobilises resources from."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        CHARITY = "charity", _("慈善组织")
        INDIVIDUAL = "individual", _("个人")
        LOTTERY_OUTLET = "lottery_outlet", _("彩票代售点")
        GOVERNMENT = "government", _("政府部门")
        OTHER = "other", _("其他")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("链接单位")
        verbose_name_plural = _("链接单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="partner_unique_per_station")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:partner-detail", args=[self.pk])


class ResourceQuerySet(StationScopedQuerySet):
    def with_list_columns(self):
        return self.select_related("partner", "project")

    def total(self) -> Decimal:
        """The yuan value mobilised (money plus the estimated value of goods), exact."""
        return self.aggregate(total=Sum("amount"))["total"] or ZERO


class Resource(Versioned):
    """链接慈善资源: money (yuan) or goods in kind (with an estimated value) from a partner."""

    class Kind(models.TextChoices):
        MONEY = "money", _("资金")
        IN_KIND = "in_kind", _("物资")

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="resources"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("链接单位"), on_delete=models.PROTECT, related_name="resources"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("用于项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    date = models.DateField(_("日期"), default=timezone.localdate)
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.MONEY)
    amount = models.DecimalField(
        _("金额或估值（元）"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("资金填金额；物资填估算价值。"),
    )
    description = models.CharField(_("内容"), max_length=200, blank=True, help_text=_("如：米面油50份"))
    notes = models.TextField(_("备注"), blank=True, max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("慈善资源")
        verbose_name_plural = _("慈善资源")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["station", "date"], name="resource_station_date_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="resource_amount_positive")]

    def __str__(self):
        return f"{self.partner} ¥{self.amount}"

    def get_absolute_url(self):
        return reverse("projects:resource-detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.kind == self.Kind.IN_KIND and not self.description:
            errors["description"] = _("物资请填写内容。")
        if self.station_id and self.partner_id and self.partner.station_id != self.station_id:
            errors["partner"] = _("只能选择本站的链接单位。")
        if self.station_id and self.project_id and self.project.station_id != self.station_id:
            errors["project"] = _("只能选择本站的项目。")
        if errors:
            raise ValidationError(errors)


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


class VolunteerTeam(CultivatedGroup):
    """志愿服务队 cultivated by the station (针锋裁缝, 爱心扫把 …)."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="volunteer_teams"
    )

    objects = CultivatedGroupQuerySet.as_manager()

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


# --- Community funds ---------------------------------------------------------------------------------


class CommunityFundQuerySet(StationScopedQuerySet):
    def with_balance(self):
        """Annotate `inflow`, `outflow` and `balance` (Decimal, derived from the ledger) in one query."""
        inflow = Sum("entries__amount", filter=Q(entries__direction=FundEntry.Direction.INFLOW), default=ZERO)
        outflow = Sum(
            "entries__amount", filter=Q(entries__direction=FundEntry.Direction.OUTFLOW), default=ZERO
        )
        return self.annotate(inflow=inflow, outflow=outflow).annotate(
            balance=models.F("inflow") - models.F("outflow")
        )


class CommunityFund(Versioned):
    """社区基金: a pool fed by inflows and spent by outflows; the balance is derived from the ledger."""

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField(_("基金名称"), max_length=100)
    communities = models.ManyToManyField(
        Community, verbose_name=_("服务社区"), blank=True, related_name="funds"
    )
    established_on = models.DateField(_("设立日期"))
    purpose = models.TextField(_("用途说明"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = CommunityFundQuerySet.as_manager()

    class Meta:
        verbose_name = _("社区基金")
        verbose_name_plural = _("社区基金")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="fund_unique_per_station")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:fund-detail", args=[self.pk])

    def balance(self) -> Decimal:
        """Inflows minus outflows, from the ledger (one aggregate query)."""
        row = self.entries.aggregate(
            inflow=Sum("amount", filter=Q(direction=FundEntry.Direction.INFLOW), default=ZERO),
            outflow=Sum("amount", filter=Q(direction=FundEntry.Direction.OUTFLOW), default=ZERO),
        )
        return row["inflow"] - row["outflow"]


class FundEntryQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "fund__station"
    district_lookup = "fund__station__district"


class FundEntry(AppendOnlyModel):
    """One ledger line of a community fund. Append-only: a mistake is corrected by a counter-entry."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "基金收支记录"

    class Direction(models.TextChoices):
        INFLOW = "in", _("收入")
        OUTFLOW = "out", _("支出")

    class Channel(models.TextChoices):
        LOTTERY = "lottery", _("彩票代售点注资")
        ENTERPRISE = "enterprise", _("社企联动")
        RESIDENTS = "residents", _("居民筹资")
        CHARITY = "charity", _("慈善捐赠")
        OTHER = "other", _("其他")

    class Purpose(models.TextChoices):
        RECIPIENT_AID = "recipient_aid", _("民政对象帮扶")
        SERVICE_VENUE = "service_venue", _("公益服务阵地")
        ORGANISATIONS = "organisations", _("培育社区社会组织")
        ACTIVITIES = "activities", _("社区活动")
        OTHER = "other", _("其他")

    fund = models.ForeignKey(
        CommunityFund, verbose_name=_("社区基金"), on_delete=models.PROTECT, related_name="entries"
    )
    direction = models.CharField(_("收支"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("筹集渠道"), max_length=12, choices=Channel.choices, blank=True)
    purpose = models.CharField(_("支出用途"), max_length=16, choices=Purpose.choices, blank=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    date = models.DateField(_("日期"), default=timezone.localdate)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("出资单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("用于项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fund_entries",
    )
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("基金收支")
        verbose_name_plural = _("基金收支")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["fund", "date"], name="fundentry_fund_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fundentry_amount_positive"),
            models.CheckConstraint(
                condition=(Q(direction="in") & ~Q(channel="") & Q(purpose=""))
                | (Q(direction="out") & ~Q(purpose="") & Q(channel="")),
                name="fundentry_channel_or_purpose",
            ),
        ]

    def __str__(self):
        sign = "+" if self.direction == self.Direction.INFLOW else "-"
        return f"{self.date:%Y-%m-%d} {sign}{self.amount}"

    @property
    def label(self):
        return (
            self.get_channel_display()
            if self.direction == self.Direction.INFLOW
            else self.get_purpose_display()
        )


# --- Annual implementation plans ---------------------------------------------------------------------


class AnnualPlanQuerySet(StationScopedQuerySet):
    def pending_review(self):
        return self.filter(status=AnnualPlan.Status.SUBMITTED)

    def pending_summary(self) -> dict:
        """{"count": plans waiting for review, "oldest": the earliest submission among them}: one query."""
        return self.pending_review().aggregate(count=Count("pk"), oldest=Min("submitted_at"))

    def with_list_columns(self):
        return self.select_related("station", "station__district")


# The reviewers' menu badge (待审批方案) is on every page they open: counted once per scope and kept in the
# cache until a plan is saved or deleted (any save starts a new generation, again when the transaction
# commits), so a page costs no query for it. The TTL bounds what another app process with a cache of its
# own may show; writes that bypass signals (bulk_create in the demo seeder) show within it.
PENDING_TTL = 5 * 60
_PENDING_GENERATION = "plans-pending:generation"


def _pending_cache():
    from django.core.cache import caches

    return caches["reference"]


def plans_changed():
    from django.db import transaction

    _pending_cache().set(_PENDING_GENERATION, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: _pending_cache().set(_PENDING_GENERATION, uuid.uuid4().hex, None))


def pending_plan_count(user) -> int:
    """How many plans `user` sees waiting for approval (AnnualPlan.objects.visible_to), cached per scope."""
    from stations.access import scope_key

    cache = _pending_cache()
    generation = cache.get(_PENDING_GENERATION)
    if generation is None:
        cache.add(_PENDING_GENERATION, uuid.uuid4().hex, None)
        generation = cache.get(_PENDING_GENERATION)
    key = f"plans-pending:{generation}:{scope_key(user)}"
    count = cache.get(key)
    if count is None:
        count = AnnualPlan.objects.visible_to(user).pending_summary()["count"]
        cache.set(key, count, PENDING_TTL)
    return count


FIRST_PLAN_YEAR = 2021  # the stations began in 2021: no plan is older


def validate_plan_year(year):
    """A plan's year: from 2021 to next year (a plan is written ahead for the coming year, no further).

    A function, not MaxValueValidator: the upper bound moves with the calendar, and a migration must not
    freeze the year it was made in. Migration 0003 refers to it by this name.
    """
    if year is None:
        return
    if year < FIRST_PLAN_YEAR:
        raise ValidationError(
            "年度不能早于%(first)s年（社工站%(first)s年起建设）。",
            code="plan_year_too_early",
            params={"first": FIRST_PLAN_YEAR},
        )
    latest = latest_plan_year()
    if year > latest:
        raise ValidationError(
            "年度不能晚于%(latest)s年：实施方案最多提前一年制定。",
            code="plan_year_too_late",
            params={"latest": latest},
        )


def latest_plan_year() -> int:
    return timezone.localdate().year + 1


class AnnualPlan(Versioned):
    """系统化实施方案: a station's targets for one year in five areas; actual progress is computed.

    Draft → submitted → approved by the district centre, or returned with a comment for another round.
    Editing is allowed only in draft or returned. Each step is a `PlanEvent` (who, when, comment).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    station = models.ForeignKey(
        Station, verbose_name=_("社工站"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_plan_year])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    # 1 发展社区志愿服务
    target_volunteer_teams = models.PositiveIntegerField(_("志愿服务队（个）"), null=True, blank=True)
    volunteer_text = models.TextField(_("发展社区志愿服务"), blank=True, max_length=4000)
    # 2 培育社区社会组织
    target_organisations = models.PositiveIntegerField(_("社区社会组织（个）"), null=True, blank=True)
    organisations_text = models.TextField(_("培育社区社会组织"), blank=True, max_length=4000)
    # 3 提升社区工作人员专业能力
    target_capacity_sessions = models.PositiveIntegerField(
        _("社区工作者能力提升活动（场次）"), null=True, blank=True
    )
    capacity_text = models.TextField(_("提升社区工作人员专业能力"), blank=True, max_length=4000)
    # 4 摸清民政服务基本底数
    target_registered_residents = models.PositiveIntegerField(_("建档居民（人）"), null=True, blank=True)
    baseline_text = models.TextField(_("摸清民政服务基本底数"), blank=True, max_length=4000)
    # 5 领办特色服务项目 (with the activities they bring)
    target_projects = models.PositiveIntegerField(_("特色服务项目（个）"), null=True, blank=True)
    target_activity_sessions = models.PositiveIntegerField(_("服务活动（场次）"), null=True, blank=True)
    target_person_times = models.PositiveIntegerField(_("服务人次（人次）"), null=True, blank=True)
    projects_text = models.TextField(_("领办特色服务项目"), blank=True, max_length=4000)

    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("审批意见"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AnnualPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("系统化实施方案")
        verbose_name_plural = _("系统化实施方案")
        ordering = ["-year", "station"]
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="plan_unique_station_year")]

    def __str__(self):
        return f"{self.station} {self.year}年度系统化实施方案"

    def get_absolute_url(self):
        return reverse("projects:plan-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return datetime.date(self.year, 1, 1), datetime.date(self.year, 12, 31)

    def progress(self):
        """Target vs actual per countable target; see `projects.progress.plan_progress`."""
        from projects.progress import plan_progress  # progress imports this module

        return plan_progress(self)


class PlanEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "plan__station"
    district_lookup = "plan__station__district"


class PlanEvent(AppendOnlyModel):
    """One append-only step in a plan's life: created, edited, submitted, approved, returned."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "方案记录"

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True, max_length=2000)

    objects = PlanEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("方案记录")
        verbose_name_plural = _("方案记录")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
