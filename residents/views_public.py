"""Public pages: the community QR intake, "where is my request", and the posters stations print.

Residents have no account, so these pages are open to the internet and written defensively: CSRF on
every POST, a per-client rate limit in the cache, a honeypot, size limits, a submission token against
double submits, and nothing on any page but what the resident typed or the public facts of the
community and its station. No existing resident record is ever looked up or shown here.
"""

import ipaddress

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from residents import services
from residents.forms_public import (
    PublicRequestForm,
    StatusLookupForm,
    new_submission_token,
    phone_matches_tail,
)
from residents.models import Request
from stations import access
from stations.audit import forwarded_remote
from stations.models import Community

# (submissions, seconds) per client address; override with settings.PUBLIC_RATE_LIMITS.
RATE_LIMITS = {"intake": (5, 10 * 60), "status": (10, 10 * 60)}
# A full form is under 10 KB even with 1,000 Chinese characters percent-encoded; anything much larger is
# not a resident typing.
MAX_BODY_BYTES = 32 * 1024
DONE_SALT = "residents.public.intake-done"
DONE_MAX_AGE = 24 * 60 * 60

# What a resident may learn about their request: a status and one line, never who or what.
PUBLIC_PROGRESS = {
    Request.Status.NEW: "已收到，等待社工研判。",
    Request.Status.TRIAGED: "社工已研判，正在安排办理。",
    Request.Status.IN_PROGRESS: "社工正在办理。",
    Request.Status.REFERRED: "已转介相关单位协助办理。",
    Request.Status.RESOLVED: "已办结，社工将与您回访确认。",
    Request.Status.CLOSED: "已回访结案，感谢您的反馈。",
    Request.Status.WITHDRAWN: "诉求已撤回。",
    Request.Status.REJECTED: "未予受理，如有疑问请联系社工站。",
}
NOT_FOUND_MESSAGE = "未找到与该受理编号和电话后四位相符的诉求，请核对后重试。"


# --- protection -------------------------------------------------------------------------------------
def client_address(request) -> str:
    """The client's address for rate limiting.

    X-Forwarded-For is trusted only when settings.TRUSTED_PROXY_COUNT says how many proxies of ours
    append to it and the connection comes from one of them (`stations.audit.forwarded_remote`);
    otherwise anyone could send a fresh header per request. IPv6 clients are bucketed by /64, which one
    subscriber usually holds whole.
    """
    remote = forwarded_remote(request)  # the header only from our own proxies (TRUSTED_PROXIES)
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return "invalid"  # one shared bucket for whatever cannot be parsed
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class RateLimit:
    """A fixed-window counter per scope and client address in Django's cache (Redis when shared)."""

    def __init__(self, scope: str, request):
        limits = {**RATE_LIMITS, **getattr(settings, "PUBLIC_RATE_LIMITS", {})}
        self.limit, self.window = limits[scope]
        self.key = f"sws:public-rate:{scope}:{client_address(request)}"

    def exceeded(self) -> bool:
        return cache.get(self.key, 0) >= self.limit

    def hit(self) -> None:
        if cache.add(self.key, 1, self.window):
            return
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add() and incr()
            cache.set(self.key, 1, self.window)


def _refuse(request, status: int, message: str, community=None):
    return render(
        request, "residents/public/refused.html", {"message": message, "community": community}, status=status
    )


def _body_too_large(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _public_community(code: str):
    # Deliberately not `visible_to`: the page is public, and shows only what the poster on the wall
    # shows anyway (community, street, station name and phone).
    return Community.objects.select_related("street__station").filter(code=code).first()


def public_url(request, path: str) -> str:
    """An absolute address residents can open. PUBLIC_BASE_URL when set: posters are often printed on
    an intranet host that residents' phones cannot reach."""
    base = settings.PUBLIC_BASE_URL
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def unreachable_from_phones(request) -> bool:
    """True when the QR codes would encode an address residents' phones cannot open: no PUBLIC_BASE_URL,
    and the page was opened at a loopback or intranet address (127.0.0.1, localhost, 10.x, 192.168.x …),
    as in the demo or on a government intranet. The poster pages then warn before anyone prints."""
    if settings.PUBLIC_BASE_URL:
        return False
    host = request.get_host()  # host[:port], or [IPv6][:port]
    host = host[1:].split("]")[0] if host.startswith("[") else host.split(":")[0]
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare intranet machine name
    return not address.is_global


def public_intake_url(request, community) -> str:
    """The address a community's QR code encodes."""
    return public_url(request, reverse("public:intake", args=[community.code]))


def qr_svg(url: str) -> str:
    """The QR code as inline SVG, sized by CSS (viewBox only), no style attributes (CSP)."""
    code = segno.make(url, error="m", micro=False)
    return mark_safe(code.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr", lineclass="qr-line"))


# --- the resident's pages ---------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def intake(request, code):
    """The page behind a community's QR code: describe the need, leave a name and phone."""
    community = _public_community(code)
    if community is None:
        return _refuse(request, 404, "未找到该社区，请核对二维码或网址。")
    station = community.street.station
    if station is None:
        return render(request, "residents/public/intake_closed.html", {"community": community})

    if request.method == "POST":
        if _body_too_large(request):
            return _refuse(request, 413, "提交的内容过长，请精简后重新提交。", community)
        limit = RateLimit("intake", request)
        if limit.exceeded():
            return _refuse(
                request, 429, "提交过于频繁，请10分钟后再试；紧急情况请直接致电社工站。", community
            )
        form = PublicRequestForm(request.POST)
        if form.is_honeypot_filled:
            # Looks like success to the bot; nothing is saved.
            limit.hit()
            return redirect(_done_url(community, ""))
        if form.is_valid():
            limit.hit()
            data = form.cleaned_data
            category = data["category"]
            created = services.create_request(
                acting_user=None,
                station=station,
                community=community,
                category=category,
                description=data["description"],
                severity=category.default_severity,
                urgency=category.default_urgency,
                channel=Request.Channel.QR,
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                submission_token=data["token"],
                sms_updates=data["sms_updates"],
            )
            return redirect(_done_url(community, created.reference))
    else:
        form = PublicRequestForm(initial={"token": new_submission_token()})
    return render(
        request,
        "residents/public/intake_form.html",
        {"form": form, "community": community, "station": station},
    )


def _done_url(community, reference: str) -> str:
    token = signing.dumps({"c": community.code, "r": reference}, salt=DONE_SALT)
    return f"{reverse('public:intake-done', args=[community.code])}?t={token}"


@never_cache
@require_http_methods(["GET"])
def intake_done(request, code):
    """After a submit (redirect-after-post): the reference number to quote, from a signed token."""
    community = _public_community(code)
    if community is None or community.street.station is None:
        return _refuse(request, 404, "未找到该社区，请核对二维码或网址。")
    try:
        done = signing.loads(request.GET.get("t", ""), salt=DONE_SALT, max_age=DONE_MAX_AGE)
    except signing.BadSignature:
        return redirect("public:intake", code=community.code)
    if done.get("c") != community.code:
        return redirect("public:intake", code=community.code)
    return render(
        request,
        "residents/public/intake_done.html",
        {
            "community": community,
            "station": community.street.station,
            "reference": done.get("r", ""),
            "lookup_code": Request._lookup_code_for(done["r"]) if done.get("r") else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Where is my request: reference number + phone tail → status, received date, one line."""
    result = None
    not_found = False
    if request.method == "POST":
        if _body_too_large(request):
            return _refuse(request, 413, "提交的内容过长。")
        limit = RateLimit("status", request)
        if limit.exceeded():
            return _refuse(request, 429, "查询过于频繁，请10分钟后再试。")
        form = StatusLookupForm(request.POST)
        if form.is_valid():
            limit.hit()
            data = form.cleaned_data
            result = _lookup(data["reference"], data["phone_tail"], data["code"])
            not_found = result is None
    else:
        form = StatusLookupForm()
    return render(
        request,
        "residents/public/status_lookup.html",
        {"form": form, "result": result, "not_found": not_found, "not_found_message": NOT_FOUND_MESSAGE},
    )


def _lookup(reference: str, tail: str, code: str = ""):
    """The public facts of the request, or None for a missing one and a wrong pair alike.

    References are sequential: a request a worker took in answers only with its lookup code as well
    (the resident was given it); one the resident filed on the QR page answers to the phone tail, as
    its confirmation page promised, and to the code shown there if it is given."""
    found = (
        Request.objects.filter(reference=reference)
        .select_related("resident")
        .only("reference", "status", "received_at", "created_by", "reporter_phone", "resident__phone")
        .first()
    )
    phones = [found.reporter_phone, found.resident.phone if found.resident else ""] if found else []
    if not phone_matches_tail(phones, tail):
        return None
    if (code or found.filed_by_worker) and not found.lookup_code_matches(code):
        return None
    return {
        "reference": reference,
        "status": found.get_status_display(),
        "received_on": found.received_at,
        "progress": PUBLIC_PROGRESS[Request.Status(found.status)],
    }


# --- posters for station staff ----------------------------------------------------------------------
@login_required
@access.role_required(access.is_station_user)
def poster_list(request):
    """The station's communities, each with its QR poster."""
    communities = (
        Community.objects.visible_to(request.user).select_related("street").order_by("street__code", "code")
    )
    return render(
        request,
        "residents/public/poster_list.html",
        {
            "station": request.user.station,
            "communities": communities,
            "unreachable": unreachable_from_phones(request),
        },
    )


def _poster_community(request, code):
    return access.get_visible_or_404(
        Community.objects.select_related("street__station", "street__district"), request.user, code=code
    )


@login_required
@access.role_required(access.is_station_user)
def poster(request, code):
    """A printable A4 poster: the QR code, the community, the station and how to use it."""
    community = _poster_community(request, code)
    url = public_intake_url(request, community)
    return render(
        request,
        "residents/public/poster_detail.html",
        {
            "community": community,
            "station": community.street.station,
            "intake_url": url,
            "status_url": public_url(request, reverse("public:status")),
            "qr": qr_svg(url),
            "unreachable": unreachable_from_phones(request),
        },
    )


@login_required
@access.role_required(access.is_station_user)
def poster_qr(request, code):
    """The bare QR code as an SVG file, for a station that designs its own poster."""
    community = _poster_community(request, code)
    svg = segno.make(public_intake_url(request, community), error="m", micro=False)
    response = HttpResponse(content_type="image/svg+xml")
    svg.save(response, kind="svg", scale=10, border=4)
    response["Content-Disposition"] = f'attachment; filename="qr-{community.code}.svg"'
    return response
