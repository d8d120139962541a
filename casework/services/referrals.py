"""转介至合作伙伴 from a case: the case's client referred to a registered partner, exactly as a request is
(partners.services: the contact's SMS with its one-time link, the consent to share, the answers), on the
case's timeline."""

from django.db import transaction

from casework.models import Case, CaseEvent
from casework.services.common import CaseworkError, record_event, require_case_worker
from partners import services as partners
from residents.models import Referral


def refer_case_to_partner(*, acting_user, case: Case, partner, contact_name, contact_phone, reason, base_url):
    """Refer the case's client to `partner` (one the worker may refer to) while the case is open. The
    partner's contact gets an SMS naming the station, the partner and the kind of service only; personal
    data goes out on the slip only once a consent to share is recorded."""
    require_case_worker(acting_user, case)
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError({"reason": "请填写转介事由。"})
    with transaction.atomic():
        stage = Case.objects.select_for_update().values_list("stage", flat=True).get(pk=case.pk)
        if stage in Case.ENDED_STAGES:
            raise CaseworkError("个案已结案或不予立案，不能转介。", code="transition")
        partner_referral = partners.address_to_partner(
            acting_user=acting_user,
            partner=partner,
            contact_name=contact_name,
            contact_phone=contact_phone,
            base_url=base_url,
            case=case,
            station_id=case.station_id,
            reason=reason,
            referred_by=acting_user,
            outcome=Referral.Outcome.PENDING,
        )
        record_event(
            case,
            CaseEvent.Kind.REFERRAL,
            acting_user,
            f"转介至{partner.name}（对接人：{partner_referral.contact_name}）：{reason[:200]}",
            partner_referral=partner_referral.pk,
        )
    return partner_referral
