"""The partners' workflows: refer a request to a partner, record and withdraw the consent to share, the
partner's answer through its link, the reminder, and the resources used. Each takes the acting user (a
partner's answer has none: its link is its authority) and writes the timeline and the outbox in the same
transaction as the change."""

import copy
import re

from auditlog.diff import model_instance_diff
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from notifications.dispatch import notify, text_partner
from notifications.events import Event, PartnerMessage
from partners import targets
from partners.models import (
    Partner,
    PartnerAnswer,
    PartnerLink,
    PartnerReferral,
    ResourceUse,
    ShareConsent,
    outcome_in,
)
from projects.models import CommunityOrganisation, VolunteerTeam
from projects.models import Partner as LinkedUnit
from residents import auditing
from residents import services as request_services
from residents.models import Referral
from stations import access
from stations.audit import AuditLogEntry

VIA_PARTNER_LINK = targets.VIA_PARTNER_LINK

# --- The registry ---------------------------------------------------------------------------------------

_LINKED_UNIT_KINDS = {LinkedUnit.Kind.GOVERNMENT: Partner.Kind.GOVERNMENT}
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def _split_contact(text: str) -> tuple[str, str]:
    """链接单位's one "联系人及电话" field as (name, phone): "王经理 13820001111" → ("王经理", "1382…")."""
    text = (text or "").strip()
    found = _PHONE.search(text)
    if not found:
        return text[:50], ""
    return (text[: found.start()] + text[found.end() :]).strip(" ，,：:")[:50], found.group()


def sync_partners(station_ids=None) -> int:
    """One registry row for every community organisation, volunteer team and 链接单位 that has none
    (station `station_ids`, or all): the registry links them rather than copying what they are. Names
    follow a rename of the original. Idempotent; returns the rows created."""

    def of(queryset):
        return queryset if station_ids is None else queryset.filter(station__in=station_ids)

    created = []
    for organisation in of(CommunityOrganisation.objects.filter(partner__isnull=True)):
        created.append(
            Partner(
                kind=Partner.Kind.SOCIAL_ORG,
                name=organisation.name,
                station_id=organisation.station_id,
                organisation=organisation,
            )
        )
    for team in of(VolunteerTeam.objects.filter(partner__isnull=True)):
        created.append(
            Partner(kind=Partner.Kind.VOLUNTEER_TEAM, name=team.name, station_id=team.station_id, team=team)
        )
    for unit in of(LinkedUnit.objects.filter(registry_entry__isnull=True)):
        name, phone = _split_contact(unit.contact)
        created.append(
            Partner(
                kind=_LINKED_UNIT_KINDS.get(unit.kind, Partner.Kind.CHARITY),
                name=unit.name,
                contact_name=name,
                contact_phone=phone,
                station_id=unit.station_id,
                linked_unit=unit,
            )
        )
    with transaction.atomic():
        Partner.objects.bulk_create(created)
        for model in (CommunityOrganisation, VolunteerTeam):
            renamed = of(model.objects.filter(partner__isnull=False).exclude(partner__name=F("name")))
            for original in renamed.select_related("partner"):
                Partner.objects.filter(pk=original.partner.pk).update(name=original.name)
    return len(created)


# --- Referral to a partner ------------------------------------------------------------------------------


def link_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}{reverse('partner_link:answer', args=[token])}"


def refer_to_partner(
    *, acting_user, request, partner, contact_name, contact_phone, reason, base_url, version=None
) -> PartnerReferral:
    """转介 to a registered partner: the request's referral (its status, timeline and audit, as any
    referral), addressed to the partner's contact, who gets an SMS with a link to answer, in the same
    transaction. The SMS names the station, the partner and the category only."""
    contact_name, contact_phone = _checked_contact(acting_user, partner, contact_name, contact_phone)
    with transaction.atomic():
        referral = request_services.refer_request(
            acting_user=acting_user,
            request=request,
            organisation=partner.name,
            reason=reason,
            version=version,
        )
        return address_to_partner(
            acting_user=acting_user,
            partner=partner,
            contact_name=contact_name,
            contact_phone=contact_phone,
            base_url=base_url,
            referral=referral,
            request=request,
            station_id=request.station_id,
            created_at=referral.referred_at,
        )


def _checked_contact(acting_user, partner, contact_name, contact_phone) -> tuple[str, str]:
    if not Partner.objects.visible_to(acting_user).active().filter(pk=partner.pk).exists():
        raise PermissionDenied  # a forged partner id: not one the worker may refer to
    contact_name, contact_phone = (contact_name or "").strip(), (contact_phone or "").strip()
    if not contact_name or not re.fullmatch(r"1[3-9]\d{9}", contact_phone):
        raise ValidationError({"contact_phone": "请填写对接人姓名和11位手机号码（用于发送回复链接）。"})
    return contact_name, contact_phone


def address_to_partner(
    *, acting_user, partner, contact_name, contact_phone, base_url, **target
) -> PartnerReferral:
    """The referral to `partner` of a target (`target`: a request's `referral`, `request`, `station_id`
    and `created_at`; or a case's `case`, `station_id`, `reason`, `referred_by` and `outcome`), audited,
    and its first link sent to the contact by SMS. The caller holds the transaction and has checked the
    acting user may refer the target; the partner and the contact are checked here."""
    contact_name, contact_phone = _checked_contact(acting_user, partner, contact_name, contact_phone)
    with auditing.signals_off():  # one entry, with the actor: the one below
        partner_referral = PartnerReferral.objects.create(
            partner=partner,
            contact_name=contact_name,
            contact_phone=contact_phone,
            link_base=settings.PUBLIC_BASE_URL or base_url,
            **target,
        )
    auditing.log_create(partner_referral, actor=acting_user)
    _send_link(partner_referral, PartnerMessage.REFERRAL, target=f"{partner_referral.pk}")
    return partner_referral


def _send_link(partner_referral, code, *, target, now=None):
    link, token = PartnerLink.issue(partner_referral, now=now)
    facts = targets.of(partner_referral).slip(partner_referral.target)
    text_partner(
        code,
        address=partner_referral.contact_phone,
        target=target,
        context={
            "station": facts["station"].name,
            "partner": partner_referral.partner.name,
            "category": facts["category"],
            "subject": targets.of(partner_referral).subject,
            "link": link_url(partner_referral.link_base, token),
            "days": settings.PARTNER_REMINDER_DAYS,
        },
    )
    return link, token


# --- Consent to share -------------------------------------------------------------------------------


def _require_may_act(acting_user, partner_referral):
    if not targets.of(partner_referral).may_act(acting_user, partner_referral.target):
        raise PermissionDenied


def record_consent(
    *,
    acting_user,
    partner_referral,
    given_by,
    method,
    purpose,
    fields,
    guardian_name="",
    guardian_relation="",
    witness="",
    scan=None,
    now=None,
) -> ShareConsent:
    """知情同意: the resident's (or a minor's guardian's) consent to give the named fields to this partner
    for this purpose. A minor (by the birth date the ID number gives) needs a guardian; a verbal consent a
    witness; a signed form its scan (kept as the consent's attachment). One consent in force at a time.
    The resident is the request's, or the case's client."""
    _require_may_act(acting_user, partner_referral)
    target = targets.of(partner_referral)
    resident = target.resident(partner_referral.target)
    errors = {}
    if given_by not in ShareConsent.GivenBy.values:
        errors["given_by"] = "请选择同意人。"
    if resident is not None and resident.is_minor and given_by != ShareConsent.GivenBy.GUARDIAN:
        errors["given_by"] = "该居民未满18周岁，须由监护人同意。"
    guardian_name, guardian_relation = (guardian_name or "").strip(), (guardian_relation or "").strip()
    if given_by == ShareConsent.GivenBy.GUARDIAN and not (guardian_name and guardian_relation):
        errors["guardian_name"] = "请填写监护人姓名及与本人关系。"
    witness = (witness or "").strip()
    if method == ShareConsent.Method.VERBAL and not witness:
        errors["witness"] = "口头同意须填写见证人。"
    if method == ShareConsent.Method.SIGNED_FORM and scan is None:
        errors["scan"] = "书面同意请上传签字的同意书扫描件或照片。"
    if method not in ShareConsent.Method.values:
        errors["method"] = "请选择同意方式。"
    fields = [name for name in ShareConsent.Field.values if name in (fields or [])]
    if not fields:
        errors["fields"] = "请勾选同意提供的信息。"
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = "请填写提供目的。"
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        PartnerReferral.objects.select_for_update().filter(pk=partner_referral.pk).first()
        if partner_referral.consents.filter(withdrawn_at__isnull=True).exists():
            raise ValidationError("已有有效的同意记录；如需变更，请先撤回。")
        with auditing.signals_off():
            consent = ShareConsent.objects.create(
                partner_referral=partner_referral,
                resident=resident,
                given_by=given_by,
                guardian_name=guardian_name if given_by == ShareConsent.GivenBy.GUARDIAN else "",
                guardian_relation=guardian_relation if given_by == ShareConsent.GivenBy.GUARDIAN else "",
                method=method,
                witness=witness,
                purpose=purpose,
                fields=fields,
                given_at=now,
                recorded_by=acting_user,
            )
        if scan is not None:
            from attachments import services as attachments

            attachments.attach_file(
                acting_user=acting_user, owner=consent, uploaded_file=scan, kind="consent"
            )
        auditing.log_create(consent, actor=acting_user)
        target.note(
            partner_referral.target,
            actor=acting_user,
            text=f"记录{consent.get_given_by_display()}同意向{partner_referral.partner.name}提供："
            f"{'、'.join(consent.field_labels)}（{consent.get_method_display()}）",
            consent=consent.pk,
        )
    return consent


def withdraw_consent(*, acting_user, consent, note="", now=None) -> ShareConsent:
    """撤回同意: from now on the slip and the partner's link show no personal data again."""
    partner_referral = consent.partner_referral
    _require_may_act(acting_user, partner_referral)
    now = now or timezone.now()
    with transaction.atomic():
        updated = ShareConsent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=acting_user, withdrawal_note=(note or "").strip()[:200]
        )
        if not updated:
            raise ValidationError("该同意已撤回。")
        consent.refresh_from_db()
        targets.of(partner_referral).note(
            partner_referral.target,
            actor=acting_user,
            text=f"撤回向{partner_referral.partner.name}提供个人信息的同意",
            consent=consent.pk,
        )
    return consent


# --- The partner's answer ---------------------------------------------------------------------------

# What may follow what: accepted and declined answer a new referral; done and declined an accepted one.
ANSWERS_FROM = {
    Referral.Outcome.PENDING: (PartnerAnswer.Outcome.ACCEPTED, PartnerAnswer.Outcome.DECLINED),
    Referral.Outcome.ACCEPTED: (PartnerAnswer.Outcome.DONE, PartnerAnswer.Outcome.DECLINED),
}
ANSWER_NEEDS_NOTE = {
    PartnerAnswer.Outcome.DECLINED: "请填写未能接收的原因。",
    PartnerAnswer.Outcome.DONE: "请填写办理结果。",
}


def answers_open(partner_referral) -> tuple:
    return ANSWERS_FROM.get(partner_referral.state.outcome, ())


def answer_referral(*, link, outcome, note="", now=None) -> PartnerAnswer:
    """The partner's answer through its link: the referral's outcome, a timeline entry on the request or
    the case (actor: none; `via` the partner's link), and the workers told (Event.REFERRAL_ANSWERED) — one
    transaction. Each answer once; an expired or revoked link answers nothing."""
    now = now or timezone.now()
    note = (note or "").strip()
    if outcome in ANSWER_NEEDS_NOTE and not note:
        raise ValidationError({"note": ANSWER_NEEDS_NOTE[outcome]})
    with transaction.atomic():
        locked = PartnerLink.objects.select_for_update().filter(pk=link.pk).usable(now).first()
        if locked is None:
            raise ValidationError("该链接已失效。", code="expired")
        partner_referral = PartnerReferral.objects.with_page_columns().get(pk=link.partner_referral_id)
        state = partner_referral.state  # the request's Referral, or the case's referral itself
        if outcome not in answers_open(partner_referral):
            raise ValidationError("该转介已回复过此项，不能重复提交。", code="answered")
        before = copy.copy(state)
        if (
            not type(state)
            .objects.filter(pk=state.pk, outcome=state.outcome)
            .update(outcome=outcome, outcome_note=note)
        ):
            raise ValidationError("该转介已回复过此项，不能重复提交。", code="answered")
        state.outcome, state.outcome_note = outcome, note
        try:
            with transaction.atomic():
                answer = PartnerAnswer.objects.create(
                    partner_referral=partner_referral,
                    link=locked,
                    outcome=outcome,
                    note=note,
                    answered_at=now,
                )
        except IntegrityError:
            raise ValidationError("该转介已回复过此项，不能重复提交。", code="answered") from None
        auditing.log_update(state, before, actor=None)
        label = str(PartnerAnswer.Outcome(outcome).label)
        target = targets.of(partner_referral)
        target.answered(partner_referral, outcome=outcome, label=label, note=note, now=now)
        if outcome in (PartnerAnswer.Outcome.DONE, PartnerAnswer.Outcome.DECLINED):
            # The referral is settled: no link of it answers again.
            PartnerLink.objects.filter(partner_referral=partner_referral, revoked_at__isnull=True).update(
                revoked_at=now
            )
        _tell_workers(
            Event.REFERRAL_ANSWERED,
            partner_referral,
            key=f"{outcome}",
            now=now,
            outcome=label,
        )
    return answer


def _tell_workers(event, partner_referral, *, key, now, **context):
    """The workers of the referral (who referred, the request's assignee or the case's workers) told of
    `event` through the notifications outbox."""
    from stations.models import User

    target = targets.of(partner_referral)
    obj = partner_referral.target
    ids = target.workers(partner_referral) - {None}
    facts = target.slip(obj)
    notify(
        event,
        recipients=list(User.objects.filter(pk__in=ids).order_by("pk")),
        # A request's referral keeps the key it always had (its residents.Referral's pk).
        target=":".join(
            filter(None, [f"referral:{partner_referral.referral_id or f'p{partner_referral.pk}'}", key])
        ),
        url=obj.get_absolute_url(),
        context={
            "subject": target.subject,
            "reference": facts["reference"],
            "station": facts["station"].name,
            "partner": partner_referral.partner.name,
            **context,
        },
        station=facts["station"],
        now=now,
    )


def remind_unanswered(now=None) -> int:
    """A referral still unanswered PARTNER_REMINDER_DAYS after it was made: the workers hear
    (Event.REFERRAL_UNANSWERED), a case's timeline notes it, and the partner's contact gets one reminder
    SMS with a fresh link (the first is not stored, only its hash). Once per referral; returns how many
    were reminded."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.PARTNER_REMINDER_DAYS)
    due = (
        PartnerReferral.objects.filter(reminded_at__isnull=True, created_at__lte=cutoff)
        .filter(outcome_in(Referral.Outcome.PENDING))
        .with_page_columns()
        .order_by("pk")
    )
    count = 0
    for partner_referral in due:
        with transaction.atomic():
            if not PartnerReferral.objects.filter(pk=partner_referral.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another run took it
            _send_link(partner_referral, PartnerMessage.REMINDER, target=f"{partner_referral.pk}", now=now)
            targets.of(partner_referral).reminded(partner_referral, now=now)
            _tell_workers(
                Event.REFERRAL_UNANSWERED,
                partner_referral,
                key="",
                now=now,
                days=settings.PARTNER_REMINDER_DAYS,
            )
        count += 1
    return count


# --- Resources used ---------------------------------------------------------------------------------


def add_resource_use(
    *, acting_user, owner, partner, kind, amount=None, hours=None, description="", date=None
):
    """Record that `owner` (a request or an activity of the user's station) used this partner's money,
    goods, volunteer hours or service. The partner must be one the user may refer to."""
    _refuse_case_records(owner)
    access.require(access.may_change, acting_user, owner)
    return record_use(
        acting_user=acting_user,
        owner=owner,
        partner=partner,
        kind=kind,
        amount=amount,
        hours=hours,
        description=description,
        date=date,
    )


def _refuse_case_records(owner):
    # The station rule (access.may_change) is wider than a case's: casework's services check theirs.
    if ResourceUse.owner_field(owner) == "service_record":
        raise PermissionDenied


def record_use(*, acting_user, owner, partner, kind, amount=None, hours=None, description="", date=None):
    """The resource use itself, for a caller that has checked the user may change `owner` (a case's
    service record answers to casework's stricter rule, which casework checks before calling this)."""
    if not Partner.objects.visible_to(acting_user).filter(pk=partner.pk).exists():
        raise PermissionDenied
    use = ResourceUse(
        station_id=owner.station_id,
        partner=partner,
        kind=kind,
        description=(description or "").strip(),
        created_by=acting_user,
        **{ResourceUse.owner_field(owner): owner},
    )
    if amount is not None:
        use.amount = amount
    if hours is not None:
        use.hours = hours
    if date is not None:
        use.date = date
    use.full_clean(exclude=["created_by", "station"])
    with transaction.atomic():
        with auditing.signals_off():
            use.save()
        auditing.log_create(use, actor=acting_user)
    return use


def remove_resource_use(*, acting_user, use):
    _refuse_case_records(use.owner)
    access.require(access.may_change, acting_user, use.owner)
    delete_use(acting_user=acting_user, use=use)


def delete_use(*, acting_user, use):
    """The removal itself (audited), for a caller that has checked the user may change its owner."""
    with transaction.atomic():
        AuditLogEntry.objects.log_create(
            use, action=AuditLogEntry.Action.DELETE, changes=model_instance_diff(use, None), actor=acting_user
        )
        use.delete()


def uses_of(owner):
    """The resource uses of a request, an activity or a service record, in date order."""
    return (
        ResourceUse.objects.filter(**{ResourceUse.owner_field(owner): owner})
        .select_related("partner")
        .order_by("date", "pk")
    )
