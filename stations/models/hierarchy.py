"""The city's hierarchy (市—区—街—社区): divisions with their official 12-digit codes."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, OuterRef
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedQuerySet

division_code_validator = RegexValidator(r"^12\d{10}$", _("区划代码应为以12开头的12位数字。"))


class Division(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[division_code_validator])
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class Municipality(Division):
    class Meta(Division.Meta):
        verbose_name = _("市")
        verbose_name_plural = _("市")

    def get_absolute_url(self):
        return reverse("stations:district-list")


class DistrictQuerySet(ScopedQuerySet):
    station_lookup = None  # a station user sees no district as a whole
    district_lookup = "pk"

    def with_coverage(self):
        """Annotate per district, one subquery each (no join fan-out): `n_stations`, `n_townships`
        (街道/镇/乡), `n_covered` (those served by a station), `n_committees` (社区/村 in the townships)
        and `n_workrooms` (community workrooms there)."""

        def count(queryset, path):
            rows = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path).annotate(n=Count("pk"))
            return Coalesce(models.Subquery(rows.values("n")[:1]), 0)

        from stations.models.stations import Station  # that module imports this one

        townships = Street.objects.townships()
        committees = Community.objects.coverage_base()
        return self.annotate(
            n_stations=count(Station.objects.all(), "district"),
            n_townships=count(townships, "district"),
            n_covered=count(townships.filter(station__isnull=False), "district"),
            n_committees=count(committees, "street__district"),
            n_workrooms=count(committees.with_workroom(), "street__district"),
        )


class District(Division):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts")

    objects = DistrictQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def get_absolute_url(self):
        return reverse("stations:district-detail", args=[self.pk])

    @property
    def short_code(self):
        """The 6-digit county-level code, as used in district centre usernames."""
        return self.code[:6]


class StreetQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district"

    def townships(self):
        """The 252 streets and townships proper (街道/镇/乡), without development zones and farms."""
        return self.exclude(kind=Street.Kind.OTHER)


class Street(Division):
    class Kind(models.TextChoices):
        JIEDAO = "街道", _("街道")
        ZHEN = "镇", _("镇")
        XIANG = "乡", _("乡")
        OTHER = "other", _("其他（开发区、农场等）")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    station = models.ForeignKey(
        "Station",
        verbose_name=_("服务社工站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="streets",
    )

    objects = StreetQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("街道（乡镇）")
        verbose_name_plural = _("街道（乡镇）")

    def get_absolute_url(self):
        """The serving station's page (at this street), or the district page when uncovered."""
        if self.station_id:
            return f"{reverse('stations:station-detail', args=[self.station_id])}#street-{self.code}"
        return reverse("stations:district-detail", args=[self.district_id])

    @property
    def short_code(self):
        """The 9-digit township-level code."""
        return self.code[:9]


# How every page states workroom coverage (CommunityQuerySet.coverage_base).
WORKROOM_COVERAGE_DEFINITION = (
    "社区工作室覆盖率＝设有社区工作室的社区（村）÷ 街道（乡镇）所辖社区（村），不含开发区、农场"
)


class CommunityQuerySet(ScopedQuerySet):
    station_lookup = "street__station"
    district_lookup = "street__district"

    def committees(self):
        """Genuine residents' and villagers' committees (codes 001–399), the 5,476 of the city."""
        return self.exclude(kind=Community.Kind.OTHER)

    def coverage_base(self):
        """The committees workroom coverage counts: those of the 252 streets and townships (5,444 in
        Tianjin), not those in development zones and farms. The one definition of the city's 26.9 %
        (1,466 workrooms), used by every page that shows it (`WORKROOM_COVERAGE_DEFINITION`)."""
        return self.committees().exclude(street__kind=Street.Kind.OTHER)

    def with_workroom(self):
        return self.filter(workroom_opened_on__isnull=False)


class Community(Division):
    class Kind(models.TextChoices):
        SHEQU = "社区", _("社区")
        CUN = "村", _("村")
        OTHER = "other", _("其他")

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    workroom_opened_on = models.DateField(_("社区工作室启用日期"), null=True, blank=True)

    objects = CommunityQuerySet.as_manager()

    class Meta(Division.Meta):
        verbose_name = _("社区（村）")
        verbose_name_plural = _("社区（村）")

    def get_absolute_url(self):
        """Communities are shown on their street's station page, or the district page when uncovered."""
        street = self.street
        if street.station_id:
            return f"{reverse('stations:station-detail', args=[street.station_id])}#community-{self.code}"
        return reverse("stations:district-detail", args=[street.district_id])

    @property
    def has_workroom(self):
        return self.workroom_opened_on is not None

    @property
    def short_name(self):
        """The name without the committee suffix, as people say it (花园路社区居委会 → 花园路社区)."""
        for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)] or self.name
        return self.name
