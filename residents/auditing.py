"""Audit-trail entries for the changes the residents services write themselves.

Workflow steps and resident edits are conditional `QuerySet.update()`s (optimistic locking), which
django-auditlog's model signals never see. The services therefore write the entry explicitly, in the same
transaction, through auditlog's own API (`log_create`, `model_instance_diff`), so the entry looks exactly
like a signal-made one: the same fields compared, the same exclusions and masks from
settings.AUDITLOG_INCLUDE_TRACKING_MODELS. The actor is the service's `acting_user`; the remote address
comes from the request through the audit middleware (none for a management command).

Personal data in a diff: the ID number's ciphertext is logged decrypted and masked (`mask_audit_value`),
its hash and tail digest are excluded; phones are masked.
"""

from contextlib import contextmanager

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff

from residents import crypto
from residents.validators import mask_id_number, mask_phone
from stations.audit import AuditLogEntry

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte 0x80


def mask_audit_value(value) -> str:
    """Mask callable for residents' masked fields: the encrypted ID number and the phone."""
    value = "" if value is None else str(value)
    if value in ("", "None"):
        return value
    if value.startswith(FERNET_PREFIX):
        try:
            return mask_id_number(crypto.decrypt(value))
        except crypto.PersonalDataKeyError:
            return "（已加密）"
    return mask_phone(value)


@contextmanager
def signals_off():
    """Around a write the service logs itself: no second, actor-less entry from the signals."""
    with disable_auditlog():
        yield


def log_create(instance, *, actor):
    changes = model_instance_diff(None, instance)
    return AuditLogEntry.objects.log_create(
        instance, action=AuditLogEntry.Action.CREATE, changes=changes, actor=actor, force_log=True
    )


def log_update(instance, before, *, actor):
    """An update entry with what differs between `before` (a copy taken before the write) and
    `instance` as written; nothing when no audited field changed."""
    changes = model_instance_diff(before, instance)
    if not changes:
        return None
    return AuditLogEntry.objects.log_create(
        instance, action=AuditLogEntry.Action.UPDATE, changes=changes, actor=actor
    )


def log_m2m(instance, field_name, *, added=(), removed=(), actor):
    """Tags added to and removed from a record, as auditlog records many-to-many changes."""
    for operation, objects in (("add", added), ("delete", removed)):
        if objects:
            AuditLogEntry.objects.log_m2m_changes(list(objects), instance, operation, field_name, actor=actor)


def street_scope_counts(street_id) -> dict[str, int]:
    """What moves with a street that changes station (stations.audit.record_street_move): its
    communities' residents change scope; requests stay with the station that took them in."""
    from residents.models import Request, Resident

    return {
        "迁移居民数": Resident.objects.filter(community__street_id=street_id).count(),
        "该街道诉求数（仍由原社工站办理）": Request.objects.filter(community__street_id=street_id).count(),
    }
