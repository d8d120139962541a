"""A work order in: checked, placed at a station (or queued 未能定位), its request created, idempotent on
the ticket number. And dispatch by hand from the district's 未能定位 queue."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline import deadlines
from hotline.models import ApiKey, DeadlineRule, HotlineCategory, WorkOrder
from hotline.services.errors import OrderError
from residents import auditing
from residents import services as residents_services
from residents.models import Request, TimelineEvent, Urgency
from residents.validators import validate_phone
from stations import access, locking
from stations.models import Community, District, Street

TICKET_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
CODE_PATTERN = re.compile(r"^\d{12}$")
LIMITS = {"caller_name": 50, "address": 200, "content": 2000}
CLOCK_SKEW = datetime.timedelta(minutes=10)  # a sender's clock slightly ahead is no error


class _Errors(dict):
    def add(self, field, zh, en):
        self.setdefault(field, []).append((zh, en))


def _text(data, field):
    value = data.get(field, "")
    return value.strip() if isinstance(value, str) else value


def _clean(data) -> tuple[dict, "_Errors"]:
    """The order's fields, checked: (values, errors)."""
    errors, values = _Errors(), {}
    if not isinstance(data, dict):
        errors.add("non_field_errors", "请求体应为JSON对象。", "The body must be a JSON object.")
        return values, errors
    for field in (
        "ticket_no",
        "caller_name",
        "caller_phone",
        "address",
        "community_code",
        "district_code",
        "category_code",
        "content",
        "deadline_class",
        "received_at",
    ):
        value = _text(data, field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.add(field, "应为字符串。", "Must be a string.")
            value = ""
        elif "\x00" in value:  # PostgreSQL cannot store it; no sender means it
            errors.add(field, "含有不允许的字符。", "Contains a character that is not allowed (NUL).")
            value = ""
        values[field] = value
    for field in ("ticket_no", "received_at", "category_code", "content", "deadline_class"):
        if not values.get(field) and field not in errors:
            errors.add(field, "此项为必填项。", "This field is required.")
    if values["ticket_no"] and not TICKET_PATTERN.match(values["ticket_no"]):
        errors.add(
            "ticket_no",
            "工单编号只能由字母、数字、-、_组成，最长40位。",
            "Letters, digits, '-' and '_' only, at most 40 characters.",
        )
    for field, limit in LIMITS.items():
        if len(values[field]) > limit:
            errors.add(field, f"最多{limit}个字符。", f"At most {limit} characters.")
    if values["caller_phone"]:
        try:
            values["caller_phone"] = validate_phone(values["caller_phone"])
        except ValidationError:
            errors.add("caller_phone", "电话号码格式不正确。", "Not a valid phone number.")
    for field in ("community_code", "district_code"):
        if values[field] and not CODE_PATTERN.match(values[field]):
            errors.add(field, "应为12位统计用区划代码。", "Must be a 12-digit statistical division code.")
    if values["received_at"]:
        moment = _parse_moment(values["received_at"])
        if moment is None:
            errors.add(
                "received_at",
                "时间格式不正确，应为ISO 8601（如2026-12-03T09:30:00+08:00）。",
                "Not an ISO 8601 date-time (e.g. 2026-12-03T09:30:00+08:00).",
            )
        elif moment > timezone.now() + CLOCK_SKEW:
            errors.add("received_at", "受理时间不能晚于当前时间。", "Cannot be in the future.")
        values["received_at"] = moment
    if values["category_code"]:
        values["hotline_category"] = (
            HotlineCategory.objects.select_related("category")
            .filter(code=values["category_code"], is_active=True)
            .first()
        )
        if values["hotline_category"] is None:
            errors.add("category_code", "未知的热线分类代码。", "Unknown hotline category code.")
    if values["deadline_class"]:
        values["rule"] = DeadlineRule.objects.filter(deadline_class=values["deadline_class"]).first()
        if values["rule"] is None:
            errors.add("deadline_class", "未知的时限类别。", "Unknown deadline class.")
    return values, errors


def _parse_moment(text):
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _locate(values, errors, *, district_scope):
    """(district, community or None): the community by code, else by the names in the address within the
    district (its code, the key's, or named in the address); None community → 未能定位."""
    if values["community_code"]:
        community = (
            Community.objects.select_related("street__district", "street__station")
            .filter(code=values["community_code"])
            .first()
        )
        if community is None:
            errors.add("community_code", "未知的社区代码。", "Unknown community code.")
            return None, None
        return community.street.district, community
    district = None
    if values["district_code"]:
        district = District.objects.filter(code=values["district_code"]).first()
        if district is None:
            errors.add("district_code", "未知的区代码。", "Unknown district code.")
            return None, None
    district = district or district_scope
    address = values["address"]
    if district is None and address:
        district = next((d for d in District.objects.order_by("code") if d.name in address), None)
    if district is None:
        errors.add(
            "address",
            "无法确定所属区：请提供社区代码、区代码或含区名的地址。",
            "Cannot tell the district: give community_code, district_code or an address naming it.",
        )
        return None, None
    return district, locate_in_district(district, address)


def locate_in_district(district, address):
    """The community the address names (a community's name, else a served street's first community), or
    None. The longest name wins (南开 is in 南开区 and 南开街道)."""
    if not address:
        return None
    communities = (
        Community.objects.filter(street__district=district, street__station__isnull=False)
        .select_related("street")
        .only("pk", "name", "street__station_id")
    )
    named = [c for c in communities if c.name and c.name in address]
    if named:
        return max(named, key=lambda c: len(c.name))
    streets = [
        s for s in Street.objects.filter(district=district, station__isnull=False) if s.name in address
    ]
    if not streets:
        return None
    street = max(streets, key=lambda s: len(s.name))
    return Community.objects.filter(street=street).order_by("code").first()


def _check_actor(api_key_or_user, district):
    """An API key reaches its district (or the city); a user: admins, and the district's own centre."""
    if isinstance(api_key_or_user, ApiKey):
        if api_key_or_user.district_id not in (None, district.pk):
            raise OrderError.one(
                "community_code", "该工单不在本密钥的范围内。", "This order is outside the key's district."
            )
        return None
    user = api_key_or_user
    if access.is_admin(user) or (access.is_district_user(user) and user.district_id == district.pk):
        return user
    raise PermissionDenied


def receive_work_order(*, api_key_or_user, data: dict) -> tuple[WorkOrder, bool]:
    """Take a hotline work order in. The same ticket number again returns the first order (created False);
    a malformed order raises OrderError (nothing saved)."""
    key_scope = api_key_or_user.district if isinstance(api_key_or_user, ApiKey) else None
    ticket_no = _text(data, "ticket_no") if isinstance(data, dict) else ""
    existing = _existing(api_key_or_user, ticket_no)
    if existing is not None:
        return existing, False
    values, errors = _clean(data)
    district, community = (None, None) if errors else _locate(values, errors, district_scope=key_scope)
    if errors:
        raise OrderError(errors)
    actor = _check_actor(api_key_or_user, district)
    try:
        with transaction.atomic():
            return _create(values, district, community, api_key_or_user, actor), True
    except IntegrityError:
        # The same ticket posted twice at once: the other one committed first (unique ticket_no).
        existing = _existing(api_key_or_user, ticket_no)
        if existing is None:
            raise
        return existing, False


def _existing(api_key_or_user, ticket_no):
    if not ticket_no or not isinstance(ticket_no, str) or "\x00" in ticket_no:
        return None
    order = WorkOrder.objects.filter(ticket_no=ticket_no).first()
    if order is None:
        return None
    if isinstance(api_key_or_user, ApiKey):
        in_scope = api_key_or_user.district_id in (None, order.district_id)
    else:
        in_scope = WorkOrder.objects.visible_to(api_key_or_user).filter(pk=order.pk).exists()
    if not in_scope:
        raise OrderError.one("ticket_no", "该工单编号已被使用。", "This ticket number is already taken.")
    return order


def _create(values, district, community, api_key_or_user, actor):
    rule = values["rule"]
    sign_due, reply_due = deadlines.due_times_for(rule, values["received_at"])
    order = WorkOrder.objects.create(
        ticket_no=values["ticket_no"],
        received_at=values["received_at"],
        caller_name=values["caller_name"],
        caller_phone=values["caller_phone"],
        address=values["address"],
        community_code=values["community_code"],
        hotline_category_code=values["category_code"],
        content=values["content"],
        deadline_class=rule.deadline_class,
        sign_due_at=sign_due,
        reply_due_at=reply_due,
        state=WorkOrder.State.UNPLACED,
        district=district,
        api_key=api_key_or_user if isinstance(api_key_or_user, ApiKey) else None,
    )
    station = community.street.station if community is not None else None
    if station is not None:
        _place(
            order,
            station,
            community,
            actor=actor,
            category=values["hotline_category"].category,
            urgent=rule.urgent,
        )
    return order


def _place(order, station, community, *, actor, category, urgent, note=""):
    """Create the order's request at `station` (channel 12345, due at the reply limit)."""
    request = residents_services.take_in_dispatched_request(
        dispatched_by=actor,
        station=station,
        community=community,
        category=category,
        description=order.content,
        severity=category.default_severity,
        urgency=Urgency.URGENT if urgent else category.default_urgency,
        channel=Request.Channel.HOTLINE,
        reporter_name=order.caller_name,
        reporter_phone=order.caller_phone,
        received_at=order.received_at,
        due_at=order.reply_due_at,
    )
    local = timezone.localtime
    residents_services.record_event(
        request,
        actor=actor,
        kind=TimelineEvent.Kind.NOTE,
        text=(
            f"12345工单 {order.ticket_no}：签收期限 {local(order.sign_due_at):%Y-%m-%d %H:%M}，"
            f"办结期限 {local(order.reply_due_at):%Y-%m-%d %H:%M}。{note}"
        ),
        ticket_no=order.ticket_no,
    )
    WorkOrder.objects.filter(pk=order.pk).update(
        station=station, community=community, request=request, state=WorkOrder.State.RECEIVED
    )
    order.station, order.community, order.request, order.state = (
        station,
        community,
        request,
        WorkOrder.State.RECEIVED,
    )
    return request


def dispatch_work_order(*, acting_user, order, station, version=None) -> WorkOrder:
    """派单: the district centre places an order from its 未能定位 queue at one of its stations."""
    if not (access.is_district_user(acting_user) and acting_user.district_id == order.district_id):
        raise PermissionDenied
    if order.state != WorkOrder.State.UNPLACED:
        raise OrderError.one("station", "该工单已派发。", "This order has been dispatched already.")
    if station is None or station.district_id != order.district_id:
        raise OrderError.one("station", "请选择本区的社工站。", "Choose a station of the order's district.")
    community = locate_in_district(order.district, order.address)
    if community is None or community.street.station_id != station.pk:
        community = (
            Community.objects.filter(street__station=station)
            .select_related("street")
            .order_by("code")
            .first()
        )
    if community is None:
        raise OrderError.one("station", "该社工站没有服务的社区。", "This station serves no community.")
    category = (
        HotlineCategory.objects.select_related("category").get(code=order.hotline_category_code).category
    )
    rule = DeadlineRule.objects.filter(deadline_class=order.deadline_class).first()
    with transaction.atomic():
        before = WorkOrder.objects.get(pk=order.pk)
        try:
            locking.update_versioned(order, order.version if version is None else version)
        except locking.StaleVersionError:
            raise OrderError.one(
                "version", locking.STALE_MESSAGE, "Changed by someone else meanwhile."
            ) from None
        _place(
            order,
            station,
            community,
            actor=acting_user,
            category=category,
            urgent=bool(rule and rule.urgent),
            note=f"由{acting_user}从“未能定位”派发。",
        )
        auditing.log_update(order, before, actor=acting_user)
    return order


def unplaced_for(user):
    """The 未能定位 queue a district centre sees."""
    return WorkOrder.objects.visible_to(user).unplaced().order_by("sign_due_at", "pk")
