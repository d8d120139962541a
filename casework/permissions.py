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


# --- One case page, one look at the rule --------------------------------------------------------------
# The case page asks "does this user read / work this case?" in each of its sections (intake, closing,
# the attachments panel); each answer is a query. The page answers once and notes it on the case object
# it renders (`remember_page_access`); the sections' read-side checks use the note for that user. Services
# never read it: a step checks the rule afresh, in its transaction.

_PAGE_ACCESS = "_page_access"


def remember_page_access(case, user, *, works: bool) -> None:
    """`user` reads `case` (the page got it through `visible_to` and `may_open`) and works it or not."""
    setattr(case, _PAGE_ACCESS, (user.pk, works))


def page_access(case, user):
    """What the page noted for `user` on this case: None (not noted), else whether they work it."""
    noted = getattr(case, _PAGE_ACCESS, None)
    if noted is None or noted[0] != user.pk:
        return None
    return noted[1]
