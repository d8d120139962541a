"""The city's hierarchy (市—区—街—社区), stations, their staff and certificates, and users.

Every division carries its official 12-digit statistical code as a unique natural key; the code's prefix
is the hierarchy. Scoping of every queryset lives in `stations.access`.

One module per entity; every name is re-exported here, so `from stations.models import X` is the way to
import them.
"""

# stations.audit (the audit trail) and stations.security (RolePolicy) keep their models in their own
# modules; they are imported here so that Django registers them with this app.
from stations.audit import AccessedResident, AuditLogEntry, PersonalDataAccess  # noqa: F401
from stations.models.calendar import CalendarDay  # noqa: F401
from stations.models.certification import (  # noqa: F401
    CERTIFICATION_PERIOD_YEARS,
    DEADLINE_WARNING_DAYS,
    Certificate,
    CertificateQuerySet,
    CertificationState,
    add_years,
    certification_deadline,
    latest_start_due_by,
)
from stations.models.hierarchy import (  # noqa: F401
    WORKROOM_COVERAGE_DEFINITION,
    Community,
    CommunityQuerySet,
    District,
    DistrictQuerySet,
    Division,
    Municipality,
    Street,
    StreetQuerySet,
    division_code_validator,
)
from stations.models.periods import LateEntry, LateEntryPermit, LockedMonth  # noqa: F401
from stations.models.stations import (  # noqa: F401
    Assignment,
    AssignmentQuerySet,
    ComplianceIssue,
    Operator,
    Station,
    StationQuerySet,
)
from stations.models.users import SWSUserManager, User, UserQuerySet  # noqa: F401
from stations.security import RolePolicy  # noqa: F401
