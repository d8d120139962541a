"""The partner panel on the request page (residents.panels): the request's referrals to partners and
the resources it used, and for its station's staff the forms to refer and to add a use."""

from partners.forms import new_use_form
from partners.models import PartnerReferral
from partners.services import uses_of
from stations import access


def referral_panel(http_request, req):
    """Two queries: the request's partner referrals (with their consents), and its resource uses."""
    user = http_request.user
    referrals = list(
        PartnerReferral.objects.filter(request=req)
        .select_related("partner", "referral")
        .prefetch_related("consents")
        .order_by("-created_at", "-pk")
    )
    uses = list(uses_of(req))
    can_act = access.may_change(user, req)
    return {
        "template": "partners/_request_panel.html",
        "partner_referrals": referrals,
        "resource_uses": uses,
        "can_refer": can_act and req.can("refer"),
        "can_use": can_act,
        "owner_kind": "request",
        "owner": req,
        "use_form": new_use_form(user) if can_act else None,
    }
