"""The sws app's own records: the yearly evaluation of stations' service contracts (考核评估)."""

from sws.models.evaluation import (  # noqa: F401
    Dimension,
    Evaluation,
    EvaluationEvent,
    Indicator,
    IndicatorSet,
    Rectification,
    Score,
    ServiceContract,
)
