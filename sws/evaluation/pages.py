"""An evaluation as the pages, the print and the XLSX show it: a fixed number of queries, whatever the
number of indicators, rectifications or trail events."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from sws.evaluation import rules
from sws.models.evaluation import (
    Evaluation,
    EvaluationEvent,
    Rectification,
    Score,
    ServiceContract,
    weighted_points,
)


@dataclass
class DimensionBlock:
    dimension: object
    scores: list = field(default_factory=list)

    @property
    def possible(self) -> Decimal:
        return sum((s.indicator.max_score for s in self.scores), Decimal(0))

    @property
    def got(self) -> Decimal:
        return sum((s.value or 0 for s in self.scores), Decimal(0))

    @property
    def weighted(self) -> Decimal:
        return weighted_points(self.dimension.weight, self.got, self.possible)


def overdue_rectifications(user, district, today=None) -> dict:
    """The district dashboard's callout: its stations' rectifications past due and not closed (one
    query, within `user`'s scope), and the list of their evaluations."""
    count = (
        Rectification.objects.visible_to(user)
        .filter(evaluation__station__district=district)
        .overdue(today)
        .count()
    )
    url = f"{reverse('evaluation:list')}?{urlencode({'overdue': 1, 'district': district.pk})}"
    return {"count": count, "url": url}


def evaluations_for(user):
    return (
        Evaluation.objects.visible_to(user)
        .select_related("station__district", "indicator_set", "contract", "opened_by")
        .prefetch_related("evaluators")
    )


def load(evaluation) -> dict:
    """Everything an evaluation's page shows (the evaluation was fetched through `evaluations_for`)."""
    scores = list(
        Score.objects.filter(evaluation=evaluation)
        .select_related("indicator__dimension", "scored_by", "responded_by")
        .order_by(
            "indicator__dimension__order", "indicator__dimension_id", "indicator__order", "indicator_id"
        )
    )
    blocks: dict[int, DimensionBlock] = {}
    for score in scores:
        score.evaluation = evaluation  # the rules read its status and station, no query each
        dimension = score.indicator.dimension
        blocks.setdefault(dimension.pk, DimensionBlock(dimension)).scores.append(score)
    items = list(
        Rectification.objects.filter(evaluation=evaluation)
        .select_related("owner", "indicator")
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    for item in items:
        item.evaluation = evaluation
        item.overdue = item.is_overdue(today)
    events = list(
        EvaluationEvent.objects.filter(evaluation=evaluation).select_related("actor").order_by("at", "pk")
    )
    deliverables = []
    contract = evaluation.contract
    if contract is not None:
        for target_field, label, key in ServiceContract.DELIVERABLES:
            target = getattr(contract, target_field)
            actual = (evaluation.actuals or {}).get(key)
            deliverables.append(
                {
                    "label": label,
                    "target": target,
                    "actual": actual,
                    "percent": round(actual * 100 / target) if target and actual is not None else None,
                    "reached": bool(target and actual is not None and actual >= target),
                }
            )
    return {
        "evaluation": evaluation,
        "blocks": list(blocks.values()),
        "scores": scores,
        "rectifications": items,
        "events": events,
        "deliverables": deliverables,
        "months": evaluation.months or [],
        "all_locked": bool(evaluation.months) and all(m["locked"] for m in evaluation.months),
    }


def permissions(user, evaluation) -> dict:
    return {
        "may_score": rules.may_score(user, evaluation),
        "may_send": rules.may_send(user, evaluation),
        "may_respond": rules.may_respond(user, evaluation),
        "may_return": rules.may_return(user, evaluation),
        "may_approve": rules.may_approve(user, evaluation),
        "may_add_rectification": rules.may_add_rectification(user, evaluation),
    }
