"""What a referral slip (the printable page and the partner's link) shows: the public facts of the
referral always, and the resident's personal data only as far as a consent in force names them. The
same for a request's referral and a case's: the target gives the facts (partners.targets)."""

from partners import targets
from partners.models import ShareConsent


def slip_facts(partner_referral) -> dict:
    """Needs `PartnerReferral.objects.with_page_columns()` and prefetched `consents`."""
    target = targets.of(partner_referral)
    facts = target.slip(partner_referral.target)
    consent = partner_referral.consent_in_force()
    personal = {}
    if consent is not None:
        values = {
            ShareConsent.Field.NAME: ("姓名", facts["name"]),
            ShareConsent.Field.PHONE: ("联系电话", facts["phone"]),
            ShareConsent.Field.ADDRESS: ("住址", facts["address"]),
            ShareConsent.Field.DESCRIPTION: (target.description_label, facts["description"]),
        }
        personal = {values[f][0]: values[f][1] for f in consent.fields if f in values and values[f][1]}
    return {
        "pr": partner_referral,
        "subject": target.subject,
        "reference": facts["reference"],
        "station": facts["station"],
        "community": facts["community"],
        "category": facts["category"],
        "category_label": target.category_label,
        "reason": partner_referral.state.reason,
        "referred_at": partner_referral.created_at,
        "consent": consent,
        "personal": personal,
    }
