"""The partner's answer page, reached by the link in its SMS (/p/<token>/): no account, no session.

Public like the QR intake and written as defensively: rate-limited per client address, CSRF on the
POST, no cache, and nothing on the page but its one referral's slip (personal data only as consented).
A wrong, expired or revoked token is the same 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from partners import services
from partners.forms import AnswerForm
from partners.models import PartnerLink, token_digest
from partners.slip import slip_facts
from residents.views_public import RateLimit, _body_too_large, _refuse
from stations.web import errors_into

LINK_RATE = (30, 10 * 60)  # opens and answers per client address per 10 minutes


class LinkRateLimit(RateLimit):
    def __init__(self, request):
        from django.conf import settings

        self.limit, self.window = getattr(settings, "PUBLIC_RATE_LIMITS", {}).get("partner_link", LINK_RATE)
        from residents.views_public import client_address

        self.key = f"sws:public-rate:partner_link:{client_address(request)}"


def _link(token: str):
    if not token or len(token) > 100:
        raise Http404
    link = (
        PartnerLink.objects.usable()
        .select_related("partner_referral")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if link is None:
        raise Http404
    return link


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    limit = LinkRateLimit(request)
    if limit.exceeded():
        return _refuse(request, 429, "访问过于频繁，请10分钟后再试。")
    limit.hit()
    if request.method == "POST" and _body_too_large(request):
        return _refuse(request, 413, "提交的内容过长。")
    link = _link(token)
    pr = (
        type(link.partner_referral)
        .objects.with_page_columns()
        .select_related("request__station")
        .prefetch_related("consents", "answers")
        .get(pk=link.partner_referral_id)
    )
    open_outcomes = services.answers_open(pr)
    form = None
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, open_outcomes=open_outcomes)
        if form.is_valid():
            try:
                services.answer_referral(link=link, **form.cleaned_data)
            except ValidationError as error:
                errors_into(form, error)
            else:
                if not services.answers_open(pr.__class__.objects.select_related("referral").get(pk=pr.pk)):
                    return redirect("partner_link:thanks")  # the link is spent: nothing more to answer
                messages.success(request, "已提交回复，谢谢！")
                return redirect(request.path)
        status = 400
    else:
        PartnerLink.objects.filter(pk=link.pk).update(
            opened_count=F("opened_count") + 1, last_opened_at=timezone.now()
        )
    if form is None and open_outcomes:
        form = AnswerForm(open_outcomes=open_outcomes)
    return render(
        request,
        "partners/link_answer.html",
        {
            **slip_facts(pr),
            "form": form if open_outcomes else None,
            "answers": list(pr.answers.all()),
            "link": link,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
def thanks(request):
    """After the last answer (办结 or 未接收) the link is spent: this page says the answer arrived."""
    return render(request, "partners/link_thanks.html")
