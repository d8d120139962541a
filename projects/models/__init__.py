"""Service work of a station: projects, activities, resources, volunteers, organisations, funds, plans.

Every model hangs off a station and declares how (`station_lookup`/`district_lookup` on its
`ScopedQuerySet`), so `visible_to(user)` / `editable_by(user)` scope it like the rest of SWS. Rules about
one model live here; workflows (resolving a project's requests, fund outflows, plan approval) live in
`projects.services` and take the acting user explicitly. Plan progress is computed in `projects.progress`.

One module per entity; every name is re-exported here, so `from projects.models import X` is the way to
import them.
"""

from projects.models.activities import Activity, ActivityQuerySet  # noqa: F401
from projects.models.common import MONEY, ZERO, StationScopedQuerySet  # noqa: F401
from projects.models.funds import CommunityFund, CommunityFundQuerySet, FundEntry, FundEntryQuerySet  # noqa: F401
from projects.models.groups import (  # noqa: F401
    CommunityOrganisation,
    CultivatedGroup,
    CultivatedGroupQuerySet,
    GroupStatus,
    VolunteerTeam,
    VolunteerTeamQuerySet,
)
from projects.models.plans import (  # noqa: F401
    FIRST_PLAN_YEAR,
    PENDING_TTL,
    AnnualPlan,
    AnnualPlanQuerySet,
    PlanEvent,
    PlanEventQuerySet,
    latest_plan_year,
    pending_plan_count,
    plans_changed,
    validate_plan_year,
)
from projects.models.projects import Project, ProjectQuerySet, TargetGroup  # noqa: F401
from projects.models.resources import Partner, PartnerQuerySet, Resource, ResourceQuerySet  # noqa: F401
from projects.models.volunteers import (  # noqa: F401
    ServiceHours,
    ServiceHoursQuerySet,
    ServiceProof,
    TeamMembership,
    Volunteer,
    VolunteerQuerySet,
    hours_in_team,
)
