"""Cases for tests, written straight to the database (set-up only; the steps are tested through the
services)."""

import itertools

from django.contrib.auth.models import Permission

from casework.models import Case
from casework.permissions import SUPERVISE_PERMISSION

_numbers = itertools.count(1)


def make_case(station, client, lead_worker, **fields):
    fields.setdefault("source", Case.Source.OUTREACH)
    fields.setdefault("presenting_problem", "独居老人，近期情绪低落，拒绝外出。")
    return Case.objects.create(
        reference=fields.pop("reference", f"GA-T-{next(_numbers):05d}"),
        station=station,
        client=client,
        lead_worker=lead_worker,
        created_by=lead_worker,
        **fields,
    )


def make_supervisor(user):
    """Designate a district centre user as a casework supervisor (督导)."""
    app_label, codename = SUPERVISE_PERMISSION.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    # Permissions are cached on the user object: reload it.
    return type(user).objects.get(pk=user.pk)


# The case page with every stage's section (intake, assessment, plan, services, evaluation, closure, tasks,
# supervision, conferences, attachments): measured 30 queries for a station head (38 before the page
# answered "reads / works this case" once for all its sections and read the client's tags once); each
# section reads its rows in a fixed number of queries, so the bound holds whatever the case holds. One more
# since a case may be transferred (the pending transfer), one for the partners' resources each service
# record used (one prefetch for all the records), one for its referrals to partners (casereferral).
CASE_PAGE_QUERIES = 34
