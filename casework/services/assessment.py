"""预估: an assessment of the client's situation by domain. A draft is edited by the case's workers;
submitted, it is locked for good: a reassessment (复评) is a new version, and the earlier ones stay
readable. Submitting the first assessment moves the case on to 计划 and sets its risk level."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework.models import Assessment, AssessmentDomain, Case, CaseEvent
from casework.services.common import (
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)
from stations import locking

Domain = AssessmentDomain.Domain
# Every assessment covers these; 权益与法律 where it applies.
REQUIRED_DOMAINS = (
    Domain.HEALTH,
    Domain.EMOTION,
    Domain.FAMILY,
    Domain.ECONOMY,
    Domain.SUPPORT,
    Domain.SAFETY,
)
# Stages in which an assessment may be started: the first in 预估, a reassessment while the work goes on.
ASSESSING_STAGES = (
    Case.Stage.ASSESSMENT,
    Case.Stage.PLANNING,
    Case.Stage.INTERVENTION,
    Case.Stage.EVALUATION,
)
LOCKED_MESSAGE = "该预估已提交锁定，不能修改；如情况变化，请新建一次预估（复评）。"


def start_assessment(*, acting_user, case: Case) -> Assessment:
    """A new draft assessment, numbered after the case's last one (the first, or a reassessment)."""
    require_case_worker(acting_user, case)
    if case.stage not in ASSESSING_STAGES:
        raise CaseworkError(
            f"个案当前处于“{case.get_stage_display()}”阶段，不能开展预估。", code="transition"
        )
    with transaction.atomic():
        # The case row's lock: two workers starting an assessment at once get numbers one after another.
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()
        draft = case.assessments.filter(submitted_at__isnull=True).first()
        if draft is not None:
            raise CaseworkError(f"已有未提交的第{draft.number}次预估，请先完成它。", code="draft")
        last = case.assessments.aggregate(last=Max("number"))["last"] or 0
        previous = case.assessments.filter(number=last).first()
        assessment = Assessment.objects.create(
            case=case,
            number=last + 1,
            overall_risk=previous.overall_risk if previous else case.risk,
            needs=previous.needs if previous else "",
            author=acting_user,
        )
    return assessment


def _clean_domains(domains) -> dict:
    """{domain: (findings, rating)} checked: known domains, findings written, ratings 1–5, the required
    domains all there."""
    cleaned, errors = {}, []
    for domain, (findings, rating) in (domains or {}).items():
        findings = (findings or "").strip()
        if domain not in Domain.values:
            errors.append(f"未知的预估领域“{domain}”。")
            continue
        label = Domain(domain).label
        if not findings and rating in (None, ""):
            continue
        if not findings:
            errors.append(f"{label}：请填写发现。")
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            errors.append(f"{label}：请选择评分（1–5）。")
            continue
        if not 1 <= rating <= 5:
            errors.append(f"{label}：评分应为 1–5。")
            continue
        cleaned[domain] = (findings[:2000], rating)
    if errors:
        raise CaseworkError({"domains": errors})
    return cleaned


def save_assessment(
    *, acting_user, assessment: Assessment, overall_risk, needs, summary="", domains=None, version=None
) -> Assessment:
    """Write a draft's fields and domains (all of them, replacing what was there). A submitted
    assessment is locked: refused, whoever asks and whatever the form says."""
    case = assessment.case
    require_case_worker(acting_user, case)
    if assessment.locked:
        raise CaseworkError(LOCKED_MESSAGE, code="locked")
    if overall_risk not in Case.Risk.values:
        raise CaseworkError({"overall_risk": "请选择综合风险等级。"})
    cleaned = _clean_domains(domains)
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update()
            .filter(pk=assessment.pk)
            .values_list("version", "submitted_at")
        )
        row = current.first()
        if row is None or row[1] is not None:
            raise CaseworkError(LOCKED_MESSAGE, code="locked")
        check_version(assessment.version if version is None else version, row[0])
        assessment.overall_risk = overall_risk
        assessment.needs = (needs or "").strip()[:4000]
        assessment.summary = (summary or "").strip()[:4000]
        assessment.version = row[0] + 1
        assessment.save(update_fields=["overall_risk", "needs", "summary", "version"])
        assessment.domains.all().delete()
        AssessmentDomain.objects.bulk_create(
            AssessmentDomain(assessment=assessment, domain=domain, findings=findings, rating=rating)
            for domain, (findings, rating) in cleaned.items()
        )
    return assessment


def submit_assessment(*, acting_user, assessment: Assessment, version=None) -> Assessment:
    """Submit and lock the assessment: the case takes its risk level, and the first one moves the case
    from 预估 to 计划."""
    case = assessment.case
    require_case_worker(acting_user, case)
    if assessment.locked:
        raise CaseworkError(LOCKED_MESSAGE, code="locked")
    with transaction.atomic():
        current = locking.locked_version(assessment)
        check_version(assessment.version if version is None else version, current)
        present = set(assessment.domains.values_list("domain", flat=True))
        missing = [str(Domain(d).label) for d in REQUIRED_DOMAINS if d not in present]
        if missing:
            raise CaseworkError(f"提交前请完成以下领域的预估：{'、'.join(missing)}。", code="incomplete")
        if not assessment.needs.strip():
            raise CaseworkError("提交前请填写需求清单。", code="incomplete")
        updated = Assessment.objects.filter(pk=assessment.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now(), version=current + 1
        )
        if not updated:
            raise CaseworkError(LOCKED_MESSAGE, code="locked")
        assessment.refresh_from_db(fields=["submitted_at", "version"])
        case = Case.objects.select_for_update().get(pk=case.pk)
        text = f"第{assessment.number}次预估提交，综合风险：{Case.Risk(assessment.overall_risk).label}"
        risk_changed = case.risk != assessment.overall_risk
        if risk_changed:
            case.risk = assessment.overall_risk
            case.save(update_fields=["risk"])
        if case.stage == Case.Stage.ASSESSMENT:
            move_stage(
                case,
                Case.Stage.PLANNING,
                acting_user,
                CaseEvent.Kind.ASSESSMENT,
                text,
                assessment=assessment.pk,
            )
        else:
            if risk_changed:
                case.version += 1
                case.save(update_fields=["version"])
            record_event(case, CaseEvent.Kind.ASSESSMENT, acting_user, text, assessment=assessment.pk)
        assessment.case = case
    return assessment
