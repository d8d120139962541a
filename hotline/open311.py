"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): a generic client or a city's own app
lists our categories, posts a request and reads its public status.

Public data only, what the public status page (residents/views_public.py) shows: the status and its one
line, and when it was received; never who, what or where. References are sequential, so a request is
named by its reference *and* its lookup code (`<reference>-<code>`, the id a POST answers with): an id
that does not match is a 404, the same as a missing one, and the public lookup's rate limit applies.
There is no public list: `requests.json` without `service_request_id` answers an empty list.
Posting needs an API key (`api_key`, as the standard says). JSON only; errors are the standard's
`[{"code": …, "description": "…"}]`.
"""

import json
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hotline.api.views import log_call
from hotline.models import ApiKey
from hotline.services.receive import locate_in_district
from residents import services as residents_services
from residents.models import Category, Request, TimelineEvent
from residents.validators import validate_phone
from residents.views_public import PUBLIC_PROGRESS, RateLimit
from stations.models import District

CLOSED = {Request.Status.RESOLVED, Request.Status.CLOSED, Request.Status.WITHDRAWN, Request.Status.REJECTED}
FIELDS_WITHHELD = (
    "service_name", "service_code", "description", "agency_responsible", "service_notice",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
)  # fmt: skip


def _json(payload, status=200):
    return HttpResponse(
        json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


def _error(status, description):
    return _json([{"code": status, "description": description}], status=status)


def public_id(request) -> str:
    return f"{request.reference}-{request.lookup_code}"


def _find(service_request_id: str):
    reference, _sep, code = (service_request_id or "").strip().rpartition("-")
    if not reference or len(reference) > 30 or "\x00" in service_request_id:
        return None
    found = Request.objects.filter(reference=reference).only("reference", "status", "received_at").first()
    if found is None or not found.lookup_code_matches(code):
        return None
    return found


def _public(request) -> dict:
    status = Request.Status(request.status)
    return {
        "service_request_id": public_id(request),
        "status": "closed" if status in CLOSED else "open",
        "status_notes": PUBLIC_PROGRESS[status],
        "requested_datetime": timezone.localtime(request.received_at).isoformat(),
        **dict.fromkeys(FIELDS_WITHHELD),
    }


@require_GET
def services(request):
    started = time.monotonic()
    categories = Category.objects.selectable()
    response = _json(
        [
            {
                "service_code": str(category.pk),
                "service_name": category.name,
                "description": str(category),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": category.parent.name if category.parent_id else category.name,
            }
            for category in categories
        ]
    )
    log_call(request, response, started)
    return response


@require_GET
def request_detail(request, service_request_id):
    started = time.monotonic()
    response = _lookup(request, [service_request_id])
    if response is None:
        response = _error(404, "未找到该诉求。Not found.")
    log_call(request, response, started)
    return response


def _lookup(request, ids):
    limit = RateLimit("status", request)
    if limit.exceeded():
        return _error(429, "查询过于频繁，请稍后再试。Too many requests.")
    found = []
    for service_request_id in ids[:20]:
        limit.hit()
        match = _find(service_request_id)
        if match is not None:
            found.append(_public(match))
    if len(ids) == 1 and not found:
        return None
    return _json(found)


@csrf_exempt  # a keyed machine client, no cookies: the key is the credential
@require_http_methods(["GET", "POST"])
def requests_json(request):
    started = time.monotonic()
    if request.method == "GET":
        ids = [part for part in request.GET.get("service_request_id", "").split(",") if part.strip()]
        response = (_lookup(request, ids) or _json([])) if ids else _json([])
        log_call(request, response, started)
        return response
    key = ApiKey.authenticate(request.POST.get("api_key", ""))
    response = (
        _post(request, key) if key is not None else _error(403, "缺少或无效的 api_key。Invalid api_key.")
    )
    log_call(request, response, started, api_key=key)
    return response


def _post(request, key):
    data = request.POST
    if any("\x00" in value for value in data.values()):
        return _error(400, "含有不允许的字符。Contains a NUL character.")
    category = Category.objects.selectable().filter(pk=_int(data.get("service_code"))).first()
    description = (data.get("description") or "").strip()
    address = (data.get("address_string") or "").strip()[:200]
    if category is None:
        return _error(400, "service_code 无效。Unknown service_code.")
    if not description or len(description) > 2000:
        return _error(
            400, "description 为必填项，最多2000字。description is required (at most 2000 characters)."
        )
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError:
            return _error(400, "phone 格式不正确。Invalid phone.")
    district = key.district or next((d for d in District.objects.order_by("code") if d.name in address), None)
    community = locate_in_district(district, address) if district is not None else None
    if community is None:
        return _error(400, "无法根据 address_string 定位到社区。address_string names no place we serve.")
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()[:50]
    with transaction.atomic():
        created = residents_services.take_in_dispatched_request(
            dispatched_by=None,
            station=community.street.station,
            community=community,
            category=category,
            description=description,
            severity=category.default_severity,
            urgency=category.default_urgency,
            channel=Request.Channel.ONLINE,  # 网上提交: a city's app or another system, not our QR page
            reporter_name=name,
            reporter_phone=phone,
            received_at=timezone.now(),
            due_at=None,
        )
        residents_services.record_event(
            created, actor=None, kind=TimelineEvent.Kind.NOTE, text=f"经Open311接口提交（{key.name}）。"
        )
    notice = "已受理，请凭编号查询进度。"
    return _json(
        [{"service_request_id": public_id(created), "service_notice": notice, "account_id": None}], 201
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
