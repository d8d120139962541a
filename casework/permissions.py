"""Who reads case records (个案): the confidentiality rule of casework, in one place.

A case is read by its own workers (lead and co-worker, and colleagues it was shared with), their station
head and the district guidance centre's designated supervisors (督导, the permission below, given in the
admin on the user or through the group "个案督导"); not by other station staff, not by the municipal centre
(it sees counts on dashboards, never records), not by admins. A minor's or sensitive case needs the
sensitive-records permission on top (`Case.open_permission`, asked through `stations.access.may_open`).
"""

from stations import access

SUPERVISE_PERMISSION = "casework.supervise_case"
SUPERVISOR_GROUP = "个案督导"


def is_case_supervisor(user) -> bool:
    """A district centre's designated casework supervisor."""
    return access.is_district_user(user) and access.has_permission(user, SUPERVISE_PERMISSION)


def supervises(user, station) -> bool:
    """Is `user` a casework supervisor of `station`'s district? The one who notes on its cases, signs off
    or returns their closures and holds its supervision sessions (not other districts' supervisors, not
    district staff without the designation, not station staff)."""
    return is_case_supervisor(user) and station.district_id == user.district_id
