"""Casework (个案管理): cases that run 接案 → 预估 → 计划 → 介入 → 评估 → 结案, with supervision."""

from casework.models.assessments import Assessment, AssessmentDomain  # noqa: F401
from casework.models.cases import Case, CaseConsent, CaseEvent, CaseParty, CaseReferenceCounter  # noqa: F401
from casework.models.closure import CaseEvaluation, Closure, GoalAttainment  # noqa: F401
from casework.models.plans import CasePlan, Goal, Intervention  # noqa: F401
from casework.models.service_records import ServiceRecord  # noqa: F401
from casework.models.supervision import (  # noqa: F401
    CaseConference,
    SupervisionActionItem,
    SupervisionSession,
)
from casework.models.tasks import CaseTask  # noqa: F401
from casework.models.transfers import CaseTransfer  # noqa: F401
