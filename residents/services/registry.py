"""The resident registry: register and edit residents, check and reveal ID numbers and phones.

Each takes the acting user explicitly; edits are conditional UPDATEs on the version the user saw, and every
reveal is written to the audit trail.
"""

import copy
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from residents import auditing, permissions
from residents.models import Resident, ResidentEvent
from residents.models.visits import follow_community
from residents.services.errors import WorkflowError, _checked, _stale_as_workflow_error
from residents.validators import normalise_id_number, phone_tail
from stations import access, locking

# Two people registering the same number at the same moment (the unique index refused the second): the
# next submit goes through `check_id_number`, which answers without disclosing where the number is.
ID_TAKEN_MESSAGE = "保存时该身份证号刚被登记，请重新提交。"
# A number registered within the worker's own scope: saying so discloses nothing they cannot see.
ID_TAKEN_IN_SCOPE_MESSAGE = (
    "该身份证号已登记为本站居民，请在居民库中用“按完整身份证号查找”找到该居民，不要重复登记。"
)
ID_CHECK_RATE_MESSAGE = "身份证号核验过于频繁，请稍后再试；如需批量登记，请联系区指导中心导入。"
# (checks, seconds) per user: registering, editing and looking up residents by a whole ID number.
ID_CHECK_LIMIT = (20, 10 * 60)


def check_id_number(*, acting_user, id_number: str, http_request=None, exclude_pk=None, purpose="") -> bool:
    """Whether a (validated) ID number is registered to another resident outside the user's scope.

    The registry is city-wide and the number unique in it, but telling a worker "registered elsewhere"
    would let them probe who lives in the city. So: registered within their scope, they are told (they
    can see that resident); registered outside it, they are not (True is returned and the caller holds
    the number for the district centre to reconcile, answering as for a new number)."""
    matched = record_id_check(
        acting_user=acting_user,
        id_number=id_number,
        http_request=http_request,
        exclude_pk=exclude_pk,
        purpose=purpose,
    )
    if not matched:
        return False
    if Resident.objects.editable_by(acting_user).filter(pk__in=matched).exists():
        raise ValidationError(ID_TAKEN_IN_SCOPE_MESSAGE, code="id_taken")
    return True


def record_id_check(*, acting_user, id_number: str, http_request=None, exclude_pk=None, purpose="") -> list:
    """Every check of a whole ID number against the registry (registering, editing, looking up) is
    recorded (`PersonalDataAccess`, action 身份证号核验, with the residents it matched, in or out of
    scope: the auditor sees who probed which records) and limited per user (settings.
    ID_NUMBER_CHECK_LIMIT, refused attempts counted and recorded too). Returns the matching ids."""
    limit, window = getattr(settings, "ID_NUMBER_CHECK_LIMIT", ID_CHECK_LIMIT)
    key = f"sws:id-check:{acting_user.pk}"
    count = 1
    if not cache.add(key, 1, window):
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)
    matches = Resident.objects.with_id_number(id_number)
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    matched = list(matches.values_list("pk", flat=True)[:5])
    refused = count > limit
    _log_id_check(acting_user, http_request, matched, ("已超出频率限制：" if refused else "") + purpose)
    if refused:
        raise ValidationError(ID_CHECK_RATE_MESSAGE, code="id_rate")
    return matched


def _log_id_check(user, http_request, resident_ids, reason):
    from stations.audit import AccessedResident, PersonalDataAccess, client_ip

    with transaction.atomic():
        access = PersonalDataAccess.objects.create(
            user=user,
            action=PersonalDataAccess.Action.ID_CHECK,
            resident_count=len(resident_ids),
            reason=reason[:200],
            ip_address=client_ip(http_request) if http_request is not None else None,
            path=http_request.path[:300] if http_request is not None else "",
        )
        AccessedResident.objects.bulk_create(
            [AccessedResident(access=access, resident_id=pk) for pk in resident_ids]
        )


def held_duplicates(user):
    """Residents whose ID number a worker entered while it was registered outside their scope: the
    number is kept (encrypted, shown masked as usual) but out of the city-wide unique index until the
    district centre reconciles the two records (merge or transfer). Within `user`'s scope."""
    return (
        Resident.objects.visible_to(user)
        .filter(id_number_hash__isnull=True)
        .exclude(id_number_encrypted="")
        .select_related("community__street__station", "created_by")
        .prefetch_related("tags")
        .order_by("-created_at", "pk")
    )


RESIDENT_FIELDS = ("name", "gender", "birth_date", "id_number", "phone", "community", "address", "notes")


def register_resident(*, acting_user, tags=(), hold_id_number=False, **fields) -> Resident:
    """Add a resident to the registry (from the resident form or inline at intake). `hold_id_number`:
    the number is registered to a resident outside the user's scope (`check_id_number`); it is kept
    out of the unique index, for the district centre to reconcile (`held_duplicates`)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    access.require(access.may_change, acting_user, fields.get("community"))
    with transaction.atomic(), auditing.signals_off():
        resident = Resident(created_by=acting_user, **fields)
        if hold_id_number:
            resident.id_number_hash = None
        with _id_number_unique():
            resident.save()
        auditing.log_create(resident, actor=acting_user)
        if tags:
            resident.tags.set(tags)
            auditing.log_m2m(resident, "tags", added=tags, actor=acting_user)
        ResidentEvent.objects.create(resident=resident, kind=ResidentEvent.Kind.CREATED, actor=acting_user)
    return resident


@contextmanager
def _id_number_unique():
    """The form checks the ID number is new; two people registering it at the same moment both pass
    that check, and the unique keyed hash refuses the second: the same message, not an error page."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if "id_number_hash" in str(error):
            raise ValidationError({"id_number": ID_TAKEN_MESSAGE}, code="id_taken") from None
        raise


def _resident_value(resident, name):
    if name == "community":
        return resident.community_id
    return getattr(resident, name)


def _given_value(name, value):
    return value.pk if name == "community" and value is not None else value


def update_resident(
    *, acting_user, resident, version: int, tags=None, hold_id_number=False, **fields
) -> Resident:
    """Save an edit made on `version` of the record; refuse it if someone saved in between.

    One conditional UPDATE, so the audit entry is written here (auditlog's signals do not see it)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    access.require(access.may_change, acting_user, resident)
    if fields.get("community") is not None:  # moving to another community: one of the user's too
        access.require(access.may_change, acting_user, fields["community"])
    if "id_number" in fields:
        fields["id_number"] = normalise_id_number(fields["id_number"]) or None
    changed = sorted(
        name for name, value in fields.items() if _resident_value(resident, name) != _given_value(name, value)
    )
    old_tags = {tag.pk: tag for tag in resident.tags.all()}
    new_tags = {tag.pk: tag for tag in tags} if tags is not None else old_tags
    tags_changed = set(new_tags) != set(old_tags)
    if tags_changed:
        changed.append("tags")
    version = _checked(version, resident.version)
    if not changed:
        return resident
    # Only what changed is written: an unchanged ID number keeps its ciphertext.
    columns = {name: fields[name] for name in changed if name not in ("id_number", "tags")}
    if "id_number" in changed:
        columns |= Resident.id_number_columns(fields["id_number"])
        if hold_id_number:
            columns["id_number_hash"] = None
    if "phone" in changed:
        columns["phone_tail"] = phone_tail(fields["phone"])
    columns["updated_at"] = timezone.now()
    before = copy.copy(resident)
    with transaction.atomic(), auditing.signals_off():
        with _id_number_unique(), _stale_as_workflow_error():
            locking.update_versioned(resident, version, **columns)
        if "community" in changed:
            follow_community([resident.pk])  # the visit plan's copy of the community (VisitPlan.community)
        auditing.log_update(resident, before, actor=acting_user)
        if tags_changed:
            resident.tags.set(list(new_tags.values()))
            auditing.log_m2m(
                resident,
                "tags",
                added=[tag for pk, tag in new_tags.items() if pk not in old_tags],
                removed=[tag for pk, tag in old_tags.items() if pk not in new_tags],
                actor=acting_user,
            )
        ResidentEvent.objects.create(
            resident=resident,
            kind=ResidentEvent.Kind.UPDATED,
            actor=acting_user,
            text="、".join(str(_field_label(name)) for name in changed),
            data={"fields": changed},
        )
    return resident


def _field_label(name):
    if name == "tags":
        return Resident._meta.get_field("tags").verbose_name
    if name == "id_number":
        return Resident._meta.get_field("id_number_encrypted").verbose_name
    return Resident._meta.get_field(name).verbose_name


def reveal_id_number(*, acting_user, resident, reason: str) -> str:
    """The full ID number, for a worker of the resident's station who gives a reason; recorded.

    A minor's or a sensitive record needs the extra permission too (the page refuses it earlier)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": "请填写查看完整身份证号的原因。"})
    if not access.works_at(acting_user, resident):
        raise WorkflowError("只有本站社工可以查看完整身份证号。")
    if not access.may_open(acting_user, resident):
        raise WorkflowError(permissions.SENSITIVE_REFUSAL)
    if not resident.id_number:
        raise WorkflowError("该居民未登记身份证号。")
    ResidentEvent.objects.create(
        resident=resident, kind=ResidentEvent.Kind.REVEALED, actor=acting_user, text=reason[:500]
    )
    return resident.id_number


PHONE_REVEAL_REASON = "查看完整电话（回电）"


def reveal_phone(*, acting_user, resident=None, request=None) -> str:
    """The whole phone number to call back: of a resident, or of a request's caller (the resident, or
    the reporter of a QR or hotline request). Only for staff of the owning station; a minor's or a
    sensitive record needs the extra permission, as for the ID number. No reason is asked (calling back
    is the job), but the caller records the access (`record_access(..., "reveal")`)."""
    if not access.works_at(acting_user, request if request is not None else resident):
        raise WorkflowError("只有本站社工可以查看完整电话。")
    if request is not None:
        resident = request.resident
    if not access.may_open(acting_user, resident):
        raise WorkflowError(permissions.SENSITIVE_REFUSAL)
    phone = resident.phone if resident is not None else request.reporter_phone
    if not phone:
        raise WorkflowError("未登记联系电话。")
    return phone
