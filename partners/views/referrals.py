"""Referring a request to a partner, and a referral's page (a request's or a case's): the consent to share
and the printable referral slip. A case is referred from the case page (casework.views.referrals)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from partners import services, targets
from partners.forms import ConsentForm, PartnerReferForm, WithdrawConsentForm
from partners.models import PartnerReferral, ShareConsent
from partners.slip import slip_facts
from residents.models import Request
from stations import access
from stations.audit import record_access
from stations.web import errors_into


@never_cache
@login_required
@access.role_required(access.is_station_user)
def refer(request, pk):
    """转介至合作伙伴: choose the partner and its contact; the contact gets an SMS with the answer link."""
    user = request.user
    req = access.get_editable_or_404(
        Request.objects.select_related("station", "category", "community"), user, pk=pk
    )
    if request.method == "POST":
        form = PartnerReferForm(request.POST, user=user)
        if form.is_valid():
            try:
                partner_referral = services.refer_to_partner(
                    acting_user=user,
                    request=req,
                    version=form.cleaned_data["version"],
                    base_url=request.build_absolute_uri("/"),
                    **form.referral(),
                )
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(
                    request, f"已转介至{partner_referral.partner}，回复链接已通过短信发送给对接人。"
                )
                return redirect(partner_referral)
    else:
        form = PartnerReferForm(user=user, initial={"version": req.version})
    status = 400 if form.is_bound else 200
    return render(
        request,
        "partners/refer_form.html",
        {"req": req, "form": form, "may_refer": req.can("refer")},
        status=status,
    )


def _detail(request, pk):
    """A referral the user may read (a request's in the station scope, a case's under the case's rule);
    a minor's or sensitive case needs the permission to open it too (404 without: nobody learns of it)."""
    pr = access.get_visible_or_404(
        PartnerReferral.objects.with_page_columns().prefetch_related(
            "consents__recorded_by", "answers", "links"
        ),
        request.user,
        pk=pk,
    )
    if pr.case_id and not access.may_open(request.user, pr.case):
        raise Http404
    return pr


@never_cache
@require_safe
@login_required
def referral_detail(request, pk):
    pr = _detail(request, pk)
    return _render_detail(request, pr, ConsentForm(initial={"purpose": pr.state.reason[:200]}))


def _facts_for(user, pr) -> dict:
    """The slip's facts as `user` may see them: the consented personal data only for the station's staff
    who may open the resident (a minor's or sensitive resident needs the sensitive-records permission);
    anyone else who sees the referral (the district centre) reads it without them."""
    facts = slip_facts(pr)
    if not targets.of(pr).may_read_personal(user, pr.target):
        facts["personal"] = {}
    return facts


def _render_detail(request, pr, consent_form, status=200):
    target = targets.of(pr)
    can_act = target.may_act(request.user, pr.target)
    facts = _facts_for(request.user, pr)
    resident = target.resident(pr.target)
    if facts["personal"]:
        record_access(request, "view", resident, reason="转介单")
    return render(
        request,
        "partners/referral_detail.html",
        {
            **facts,
            "can_act": can_act,
            "consent_form": consent_form if can_act and facts["consent"] is None else None,
            "withdraw_form": WithdrawConsentForm() if can_act else None,
            "consents": list(pr.consents.all()),
            "answers": list(pr.answers.all()),
            "minor": bool(resident and resident.is_minor),
            "now": timezone.now(),
            "links": sorted(pr.links.all(), key=lambda link: link.created_at, reverse=True),
        },
        status=status,
    )


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def consent_create(request, pk):
    pr = _detail(request, pk)
    if not targets.of(pr).may_act(request.user, pr.target):
        raise PermissionDenied
    form = ConsentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_consent(acting_user=request.user, partner_referral=pr, **form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, "已记录同意。")
            return redirect(pr)
    pr = _detail(request, pk)  # the consents as they are
    return _render_detail(request, pr, form, status=400)


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def consent_withdraw(request, pk, consent_pk):
    pr = _detail(request, pk)
    if not targets.of(pr).may_act(request.user, pr.target):
        raise PermissionDenied
    consent = get_object_or_404(ShareConsent.objects.filter(partner_referral=pr), pk=consent_pk)
    consent.partner_referral = pr
    form = WithdrawConsentForm(request.POST)
    form.is_valid()
    try:
        services.withdraw_consent(
            acting_user=request.user, consent=consent, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤回同意：转介单和合作伙伴链接不再显示个人信息。")
    return redirect(pr)


@never_cache
@require_safe
@login_required
def slip(request, pk):
    """The printable referral slip (转介单): personal data only as consented (and then logged)."""
    pr = _detail(request, pk)
    facts = _facts_for(request.user, pr)
    if facts["personal"]:
        record_access(request, "view", targets.of(pr).resident(pr.target), reason="打印转介单")
    return render(request, "partners/slip.html", facts)
