"""Cases opened through the cwopen services (intake, assessment, plan), for tests of later steps."""

from django.utils import timezone

from casework import services
from casework.models import Case


def opened(user, client, **fields):
    fields.setdefault("source", Case.Source.OUTREACH)
    fields.setdefault("presenting_problem", "独居老人，近期情绪低落，拒绝外出。")
    return services.open_case(acting_user=user, client=client, **fields)


def open_accepted(user, client, *, accept=True, **fields):
    """Opened, with the client's signed consent, and (unless `accept=False`) accepted: in 预估."""
    case = opened(user, client, **fields)
    guardian = client.is_minor
    services.record_consent(
        acting_user=user,
        case=case,
        given_by="监护人" if guardian else client.name,
        relation="母亲" if guardian else "本人",
        given_on=timezone.localdate(),
        method="signed",
    )
    case.refresh_from_db()
    if accept:
        services.accept_case(acting_user=user, case=case, version=case.version)
    return case
