"""Dated tasks with an owner on a case (a stage, an intervention or a conference's follow-up): the
worker's 我的待办 and the head's overdue figure."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from stations.locking import Versioned


class CaseTaskQuerySet(CaseScopedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class CaseTask(Versioned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    stage = models.CharField(_("阶段"), max_length=12, choices=Case.Stage.choices, blank=True)
    title = models.CharField(_("待办事项"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="case_tasks",
    )
    due_on = models.DateField(_("截止日期"))
    conference = models.ForeignKey(
        "casework.CaseConference", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案待办")
        verbose_name_plural = _("个案待办")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="casetask_owner_due_idx")]

    def __str__(self):
        return self.title
