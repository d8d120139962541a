"""评估 and 结案: the case's evaluation (goal attainment, the client's view) and its closure, which the
station head approves and, for a high-risk case or a minor, a district supervisor signs off."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from casework.models.plans import Goal
from stations.locking import Versioned


class CaseEvaluation(Versioned):
    class Satisfaction(models.TextChoices):
        VERY = "very", _("非常满意")
        SATISFIED = "satisfied", _("满意")
        NEUTRAL = "neutral", _("一般")
        DISSATISFIED = "dissatisfied", _("不满意")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    client_view = models.TextField(_("服务对象的看法"), max_length=2000)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    worker_evaluation = models.TextField(_("社工评估"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案评估")
        verbose_name_plural = _("个案评估")
        ordering = ["case", "-created_at"]


class GoalAttainment(models.Model):
    evaluation = models.ForeignKey(CaseEvaluation, on_delete=models.CASCADE, related_name="attainments")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="attainments")
    attainment = models.CharField(_("达成情况"), max_length=8, choices=Goal.Attainment.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("目标达成")
        verbose_name_plural = _("目标达成")
        constraints = [models.UniqueConstraint(fields=["evaluation", "goal"], name="attainment_goal_once")]

    def __str__(self):
        return self.get_attainment_display()


class Closure(Versioned):
    class Reason(models.TextChoices):
        GOALS_MET = "goals_met", _("目标达成")
        CLIENT_REQUEST = "client_request", _("服务对象要求")
        TRANSFERRED = "transferred", _("转移至其他机构")
        MOVED = "moved", _("迁出")
        DECEASED = "deceased", _("去世")
        REFERRED = "referred", _("转介")
        LOST_CONTACT = "lost_contact", _("失去联系")

    class Status(models.TextChoices):
        PENDING_HEAD = "pending_head", _("待站长批准")
        PENDING_DISTRICT = "pending_district", _("待区督导签批")
        APPROVED = "approved", _("已结案")
        RETURNED = "returned", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    reason = models.CharField(_("结案原因"), max_length=16, choices=Reason.choices)
    summary = models.TextField(_("结案小结"), max_length=4000)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING_HEAD)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    needs_district_signoff = models.BooleanField(_("需区督导签批"), default=False)
    head_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    head_approved_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    returned_comment = models.TextField(_("退回意见"), blank=True, max_length=2000)
    follow_up_due_on = models.DateField(_("结案回访日期"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("回访完成"), null=True, blank=True)
    follow_up_notes = models.TextField(_("回访情况"), blank=True, max_length=2000)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("结案")
        verbose_name_plural = _("结案")
        ordering = ["case", "-requested_at"]
        indexes = [models.Index(fields=["status"], name="closure_status_idx")]
