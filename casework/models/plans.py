"""计划: the service plan, its goals (measurable, dated) and interventions; the station head approves it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from stations.locking import Versioned


class GoalScopedQuerySet(CaseScopedQuerySet):
    case_prefix = "plan__case__"


class CasePlan(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveSmallIntegerField(_("第几版"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("计划概述"), blank=True, max_length=4000)
    client_agreed = models.BooleanField(_("服务对象同意计划"), default=False)
    client_agreed_on = models.DateField(_("同意日期"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("审批意见"), blank=True, max_length=2000)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务计划")
        verbose_name_plural = _("服务计划")
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="caseplan_case_number")]

    def __str__(self):
        return f"{self.case} 计划{self.number}"


class Goal(models.Model):
    class Attainment(models.TextChoices):
        MET = "met", _("完全达成")
        PARTLY = "partly", _("部分达成")
        NOT_MET = "not_met", _("未达成")

    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("目标"), max_length=300)
    indicator = models.CharField(_("衡量指标"), max_length=300)
    target_date = models.DateField(_("目标日期"))

    objects = GoalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务目标")
        verbose_name_plural = _("服务目标")
        ordering = ["plan", "pk"]

    def __str__(self):
        return self.text


class Intervention(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="interventions")
    action = models.CharField(_("介入内容"), max_length=300)
    responsible = models.CharField(_("执行人"), max_length=100)
    frequency = models.CharField(_("频次"), max_length=50, blank=True)
    resource = models.CharField(_("链接资源或合作方"), max_length=200, blank=True)

    objects = GoalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("介入策略")
        verbose_name_plural = _("介入策略")
        ordering = ["plan", "pk"]

    def __str__(self):
        return self.action
