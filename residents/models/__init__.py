"""Residents (the baseline of service recipients) and their requests (诉求), with the case timeline.

Rules about one model live here; workflows across models (intake, triage, assign, refer, resolve,
follow up) are in `residents.services` and take the acting user explicitly. One module per entity;
every name is re-exported here, so `from residents.models import X` is the way to import them.
"""

from residents.models.categories import (  # noqa: F401
    DEFAULT_DUE_HOURS,
    PRIORITY_MATRIX,
    Category,
    CategoryQuerySet,
    Priority,
    ResponseTarget,
    Severity,
    Urgency,
    priority_for,
)

# The care registry (issue #20): households, dated support statuses, risk tiers and visits.
from residents.models.households import (  # noqa: F401, E402
    Household,
    HouseholdMembership,
    SupportStatus,
    SupportStatusType,
)
from residents.models.imports import RegistryImport, RegistryImportJob  # noqa: F401, E402
from residents.models.lookups import InResidents  # noqa: F401
from residents.models.referrals import Referral, ReferralQuerySet  # noqa: F401
from residents.models.requests import (  # noqa: F401
    OPEN_STATUSES_VALUES,
    RESOLVED_STATUSES,
    ReferenceCounter,
    Request,
    RequestQuerySet,
)
from residents.models.residents import (  # noqa: F401
    ID_NUMBER_COLUMNS,
    Resident,
    ResidentEvent,
    ResidentEventQuerySet,
    ResidentQuerySet,
)
from residents.models.tags import VulnerabilityTag  # noqa: F401
from residents.models.timeline import TimelineEvent, TimelineEventQuerySet  # noqa: F401
from residents.models.transfers import StationTransfer, Transfer, TransferQuerySet  # noqa: F401, E402
from residents.models.visits import (  # noqa: F401, E402
    RiskTier,
    RiskTierChange,
    RiskTierRule,
    Visit,
    VisitPlan,
    VisitRule,
    due_visits,
)
