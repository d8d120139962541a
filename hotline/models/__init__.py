"""The hotline app's models: API keys and their call log, the hotline's categories and deadline classes,
work orders (工单) and their extension requests (延期申请)."""

from hotline.models.imports import WorkOrderImport  # noqa: F401
from hotline.models.keys import ApiCall, ApiKey  # noqa: F401
from hotline.models.orders import (  # noqa: F401
    DeadlineRule,
    ExtensionRequest,
    HotlineCategory,
    WorkOrder,
    WorkOrderQuerySet,
)
