"""What a referral slip (the printable page and the partner's link) shows: the public facts of the
referral always, and the resident's personal data only as far as a consent in force names them."""

from partners.models import ShareConsent


def slip_facts(partner_referral) -> dict:
    """Needs `request__community`, `request__category`, `request__resident`, `request__station`,
    `partner`, `referral` and prefetched `consents`."""
    request = partner_referral.request
    consent = partner_referral.consent_in_force()
    personal = {}
    if consent is not None:
        resident = request.resident
        name = resident.name if resident else request.reporter_name
        phone = resident.phone if resident else request.reporter_phone
        values = {
            ShareConsent.Field.NAME: ("姓名", name),
            ShareConsent.Field.PHONE: ("联系电话", phone),
            ShareConsent.Field.ADDRESS: ("住址", resident.address if resident else ""),
            ShareConsent.Field.DESCRIPTION: ("诉求内容", request.description),
        }
        personal = {values[f][0]: values[f][1] for f in consent.fields if f in values and values[f][1]}
    return {
        "pr": partner_referral,
        "reference": request.reference,
        "station": request.station,
        "community": request.community.name,
        "category": str(request.category),
        "reason": partner_referral.referral.reason,
        "referred_at": partner_referral.created_at,
        "consent": consent,
        "personal": personal,
    }
