"""A case as the target of a referral to a partner (partners.targets): who may act on it and read its
personal data (the case's confidentiality rule), what its slip says, and its timeline. Registered with
partners at start-up (casework imports partners; partners imports nothing of casework)."""

from django.core.exceptions import PermissionDenied

from casework.models import Case, CaseEvent
from casework.services.common import require_case_worker
from partners.targets import VIA_PARTNER_LINK, register_case_target
from residents import timeline


class CaseTarget:
    subject = "个案"
    category_label = "服务类别"
    description_label = "主要问题"

    def visible_cases(self, user):
        return Case.objects.visible_to(user).values("pk")

    def editable_cases(self, user):
        return Case.objects.editable_by(user).values("pk")

    def may_act(self, user, case) -> bool:
        """The case's own workers, colleagues it is shared with and its head (the rule of every case
        step, sensitive-records permission included); not a supervisor, not another colleague."""
        try:
            require_case_worker(user, case)
        except PermissionDenied:
            return False
        return True

    def may_read_personal(self, user, case) -> bool:
        return self.may_act(user, case)

    def resident(self, case):
        return case.client

    def slip(self, case) -> dict:
        client = case.client
        return {
            "reference": case.reference,
            "station": case.station,
            "community": client.community.name,
            "category": str(case.request.category) if case.request_id else "",
            "name": client.name,
            "phone": client.phone,
            "address": client.address,
            "description": case.presenting_problem,
        }

    def note(self, case, *, actor, text, **data) -> None:
        CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REFERRAL, actor=actor, text=text, data=data)

    def answered(self, partner_referral, *, outcome, label, note, now) -> None:
        CaseEvent.objects.create(
            case=partner_referral.case,
            kind=CaseEvent.Kind.REFERRAL,
            actor=None,
            at=now,
            text="合作伙伴回复 · " + timeline.referral_outcome(partner_referral.partner.name, label, note),
            data={"partner_referral": partner_referral.pk, "outcome": outcome, "via": VIA_PARTNER_LINK},
        )

    def reminded(self, partner_referral, *, now) -> None:
        from django.conf import settings

        CaseEvent.objects.create(
            case=partner_referral.case,
            kind=CaseEvent.Kind.REFERRAL,
            actor=None,
            at=now,
            text=f"{partner_referral.partner.name}已{settings.PARTNER_REMINDER_DAYS}天未回复转介，"
            "已短信催办并通知社工",
            data={"partner_referral": partner_referral.pk, "reminder": True},
        )

    def workers(self, partner_referral) -> set:
        case = partner_referral.case
        return {partner_referral.referred_by_id, case.lead_worker_id, case.co_worker_id}


def register() -> None:
    register_case_target(CaseTarget())
