"""What a referral to a partner is of: a request (诉求) or a case (个案).

The referral itself (the partner, its contact, the consent to share, the one-time link, the answers, the
reminder) is the same whatever it refers; what differs is who may act on it, whose personal data the slip
may carry, and whose timeline hears of it. A target answers those questions. The request's is here;
the case's is casework's, registered at start-up (`register_case_target`): casework imports partners,
partners imports nothing of casework.
"""

from django.db.models import F

from residents import timeline
from residents.models import Request, TimelineEvent
from residents.services.requests import record_event
from stations import access

VIA_PARTNER_LINK = "partner_link"  # a timeline entry's data["via"] when the partner answered through its link


class RequestTarget:
    subject = "诉求"
    category_label = "诉求分类"
    description_label = "诉求内容"

    def may_act(self, user, request) -> bool:
        """Record or withdraw a consent: the request's station staff (the request's own rule)."""
        return access.may_change(user, request)

    def may_read_personal(self, user, request) -> bool:
        return self.may_act(user, request) and access.may_open(user, request.resident)

    def resident(self, request):
        return request.resident

    def slip(self, request) -> dict:
        """The public facts of the slip (no personal data) and the values a consent may release."""
        resident = request.resident
        return {
            "reference": request.reference,
            "station": request.station,
            "community": request.community.name,
            "category": str(request.category),
            "name": resident.name if resident else request.reporter_name,
            "phone": resident.phone if resident else request.reporter_phone,
            "address": resident.address if resident else "",
            "description": request.description,
        }

    def note(self, request, *, actor, text, **data) -> None:
        record_event(request, actor=actor, kind=TimelineEvent.Kind.NOTE, text=text, **data)

    def answered(self, partner_referral, *, outcome, label, note, now) -> None:
        request = partner_referral.request
        # The request changed: a worker's page opened before the answer is stale now. A plain bump: the
        # partner answered no page of the request, so a worker's save just before is no conflict for them.
        Request.objects.filter(pk=request.pk).update(version=F("version") + 1)
        record_event(
            request,
            actor=None,
            kind=TimelineEvent.Kind.REFERRAL_OUTCOME,
            text="合作伙伴回复 · " + timeline.referral_outcome(partner_referral.partner.name, label, note),
            referral=partner_referral.referral_id,
            outcome=outcome,
            via=VIA_PARTNER_LINK,
            at=now.isoformat(),
        )

    def reminded(self, partner_referral, *, now) -> None:
        """The request's timeline does not list reminders (its worker is told through the inbox)."""

    def workers(self, partner_referral) -> set:
        return {partner_referral.referral.referred_by_id, partner_referral.request.assignee_id}


REQUEST = RequestTarget()


class _NoCases:
    """Until casework registers: no case referral is visible or editable."""

    def visible_cases(self, user):
        return None

    def editable_cases(self, user):
        return None


_case_target = _NoCases()


def register_case_target(target) -> None:
    global _case_target
    _case_target = target


def case_target():
    return _case_target


def of(partner_referral):
    """The target of `partner_referral` (REQUEST or the registered case target)."""
    return REQUEST if partner_referral.request_id else _case_target
