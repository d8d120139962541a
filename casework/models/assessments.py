"""预估: an assessment of the client's situation by domain; submitted assessments are locked, a
reassessment is a new version and the earlier ones stay readable."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case, CaseScopedQuerySet
from stations.locking import Versioned


class Assessment(Versioned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    number = models.PositiveSmallIntegerField(_("第几次预估"), default=1)
    overall_risk = models.CharField(_("综合风险等级"), max_length=6, choices=Case.Risk.choices)
    needs = models.TextField(_("需求清单"), max_length=4000, help_text=_("每行一项需求。"))
    summary = models.TextField(_("预估小结"), blank=True, max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("预估")
        verbose_name_plural = _("预估")
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="assessment_case_number")]

    def __str__(self):
        return f"{self.case} 预估{self.number}"

    @property
    def locked(self) -> bool:
        return self.submitted_at is not None


class AssessmentDomain(models.Model):
    """One domain's findings and rating within an assessment (1 = serious problem … 5 = no concern)."""

    class Domain(models.TextChoices):
        HEALTH = "health", _("身心健康")
        EMOTION = "emotion", _("情绪状态")
        FAMILY = "family", _("家庭关系")
        ECONOMY = "economy", _("经济状况")
        SUPPORT = "support", _("社会支持")
        SAFETY = "safety", _("安全与风险")
        RIGHTS = "rights", _("权益与法律")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("领域"), max_length=8, choices=Domain.choices)
    findings = models.TextField(_("发现"), max_length=2000)
    rating = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=_("1 严重 … 5 无问题")
    )

    class Meta:
        verbose_name = _("预估领域")
        verbose_name_plural = _("预估领域")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_domain_once")
        ]

    def __str__(self):
        return self.get_domain_display()
