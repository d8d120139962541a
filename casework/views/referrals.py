"""转介至合作伙伴 from a case: the page that refers the case's client, and the case page's list of its
referrals. The referral's own page, slip and consent are partners' (partners.views.referrals), read under
the case's confidentiality rule."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from casework import services
from casework.views.closing import _case_to_work
from partners.forms import CaseReferForm
from partners.models import PartnerReferral, ShareConsent
from stations.audit import record_access
from stations.web import errors_into


@never_cache
@login_required
def refer_partner(request, pk):
    """Choose the partner and its contact; the contact gets an SMS with the one-time answer link."""
    case = _case_to_work(request, pk)
    form = CaseReferForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            partner_referral = services.refer_case_to_partner(
                acting_user=request.user,
                case=case,
                base_url=request.build_absolute_uri("/"),
                **form.referral(),
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(
                request,
                f"已转介至{partner_referral.partner}，回复链接已通过短信发送给对接人。"
                "请在转介页记录服务对象的同意后再提供个人信息。",
            )
            return redirect(partner_referral)
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference}")
    return render(
        request,
        "casework/refer_partner.html",
        {"case": case, "form": form, "may_refer": case.is_open},
        status=400 if form.is_bound else 200,
    )


def referrals_context(case, may_work) -> dict:
    """The case page's 转介至合作伙伴 section: its referrals, with whether a consent to share is in force
    (one query)."""
    in_force = ShareConsent.objects.filter(partner_referral=OuterRef("pk"), withdrawn_at__isnull=True)
    referrals = list(
        PartnerReferral.objects.filter(case=case)
        .select_related("partner")
        .annotate(shares=Exists(in_force))
        .order_by("-created_at", "-pk")
    )
    return {"partner_referrals": referrals, "may_refer_partner": may_work and case.is_open}
