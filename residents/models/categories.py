"""Request categories, severity and urgency, the priority matrix and the response targets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    SEVERE = "severe", _("重")
    MILD = "mild", _("轻")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("急")
    NOT_URGENT = "not_urgent", _("缓")


class CategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def selectable(self):
        """Active categories a request can be filed under: second-level ones, and top-level ones
        without active children."""
        return (
            self.active()
            .filter(Q(parent__isnull=False, parent__is_active=True) | Q(parent__isnull=True))
            .exclude(parent__isnull=True, children__is_active=True)
            .select_related("parent")
            .distinct()
            .order_by(models.F("parent__order").asc(nulls_first=True), "parent__name", "order", "name")
        )


class Category(models.Model):
    """Request category, two levels (生活照料 › 设施维修 …); the defaults pre-fill intake."""

    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    default_severity = models.CharField(
        _("默认轻重"), max_length=8, choices=Severity.choices, default=Severity.MILD
    )
    default_urgency = models.CharField(
        _("默认缓急"), max_length=12, choices=Urgency.choices, default=Urgency.NOT_URGENT
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")
        ]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("分类只有两级：上级分类必须是一级分类。")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("上级分类不能是自己。")})

    @property
    def default_priority(self) -> int:
        return priority_for(self.default_severity, self.default_urgency)


class Priority(models.IntegerChoices):
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"
    P4 = 4, "P4"


# 轻重缓急: urgency decides first (it is about time), severity second.
PRIORITY_MATRIX = {
    (Severity.SEVERE, Urgency.URGENT): Priority.P1,
    (Severity.MILD, Urgency.URGENT): Priority.P2,
    (Severity.SEVERE, Urgency.NOT_URGENT): Priority.P3,
    (Severity.MILD, Urgency.NOT_URGENT): Priority.P4,
}
DEFAULT_DUE_HOURS = {Priority.P1: 24, Priority.P2: 72, Priority.P3: 168, Priority.P4: 360}


def priority_for(severity: str, urgency: str) -> int:
    return PRIORITY_MATRIX[(Severity(severity), Urgency(urgency))]


class ResponseTarget(models.Model):
    """How long a request of each priority may take before it is overdue; editable in admin."""

    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices, unique=True)
    hours = models.PositiveIntegerField(_("办理时限（小时）"))

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["priority"]

    def __str__(self):
        return f"P{self.priority}: {self.hours} 小时"

    @classmethod
    def hours_for(cls, priority: int) -> int:
        hours = cls.objects.filter(priority=priority).values_list("hours", flat=True).first()
        return hours if hours is not None else DEFAULT_DUE_HOURS[Priority(priority)]
