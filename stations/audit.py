"""The audit trail: who changed what (django-auditlog, into `AuditLogEntry`) and who saw whose personal
data (`PersonalDataAccess`, written by `record_access`).

Audit records are append-only. A row, once written, cannot be saved again or deleted through the model
or its querysets; the only way out is `manage.py prune_audit`, for records older than the retention
period (at least 180 days). Admin classes have no add/change/delete permission for anyone. On PostgreSQL
the database refuses it too (`install_database_guards`, a trigger on every `AppendOnlyModel` table); the
two maintenance commands (`prune_audit`, `redact_audit_history`) switch that trigger off for their own
transaction only (`append_only_guard_off`) and record their run in the trail (`record_maintenance`).

Personal and case values never enter the change log (`redact_changes`, applied when an entry is written and
again when one is shown): for the fields in settings.SWS_AUDIT_REDACTED_FIELDS the trail records that the
field changed (from empty, to empty, or from one value to another), never the value. That covers the ID
number (no value derived from it) and the birth date, which would complete a masked ID number.

The models live here (imported at the end of `stations.models` so Django finds them) because stations
owns users; nothing here imports the residents app: residents are referred to by id.

How views record access to personal data (see `record_access`):

    from stations.audit import record_access

    record_access(request, "view", residents=resident)                   # a resident's page
    record_access(request, "list", residents=page.object_list)          # a list page (what it shows)
    record_access(request, "export", residents=queryset)                # an export (one INSERT … SELECT)
    record_access(request, "reveal", residents=resident, reason=reason) # full ID number shown
"""

import copy
import ipaddress
from collections.abc import Iterable

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The append-only base and the change log's redaction have modules of their own; re-exported here,
# where their callers import them from.
from stations.append_only import (  # noqa: F401
    GUARD_FUNCTION,
    GUARD_FUNCTION_SQL,
    GUARD_SETTING,
    GUARD_TRIGGER,
    AppendOnlyError,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    AuditRecordImmutable,
    RecordImmutable,
    append_only_guard_off,
    append_only_models,
    install_database_guards,
)
from stations.audit_redaction import (  # noqa: F401
    REDACTED,
    redact_changes,
    redact_entry,
    redacted_fields,
    redacted_repr,
)


class AuditLogEntryQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Entries written in bulk (no save()) are redacted like the others."""
        objs = list(objs)
        for entry in objs:
            entry.redact()
        return super().bulk_create(objs, *args, **kwargs)


class AuditLogEntryManager(LogEntryManager.from_queryset(AuditLogEntryQuerySet)):
    """auditlog's manager (log_create, get_for_object …) over the append-only queryset."""


class AuditLogEntry(AppendOnlyModel, AbstractLogEntry):
    """One create/change/delete of an audited model (settings.AUDITLOG_INCLUDE_TRACKING_MODELS).

    django-auditlog writes these (AUDITLOG_LOGENTRY_MODEL points here); the actor and the remote address
    come from auditlog's middleware. The actor is protected: an account with audit history is
    deactivated, never deleted, so "who" is never lost.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )

    objects = AuditLogEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("数据变更记录")
        verbose_name_plural = _("数据变更记录")
        indexes = [models.Index(fields=["content_type", "object_id"], name="auditentry_object_idx")]

    def __str__(self):
        ct = self.content_type
        shown = copy.copy(self)
        shown.object_repr = redacted_repr(ct.app_label, ct.model, self.object_repr, self.object_pk)
        return AbstractLogEntry.__str__(shown)

    def save(self, *args, **kwargs):
        if self._state.adding:
            # Whoever wrote the entry (auditlog's signals, a service, log_m2m_changes): no personal or
            # case value reaches the table.
            self.redact()
        super().save(*args, **kwargs)

    def redact(self):
        """Personal and case values out of `changes` and `object_repr` (SWS_AUDIT_REDACTED_FIELDS)."""
        self.changes, self.object_repr = redact_entry(
            self.content_type.app_label,
            self.content_type.model,
            self.changes,
            self.object_repr,
            self.object_pk,
        )


class PersonalDataAccessQuerySet(AppendOnlyQuerySet):
    def for_resident(self, resident_id: int):
        return self.filter(residents__resident_id=resident_id)

    def with_user(self):
        return self.select_related("user")


class PersonalDataAccess(AppendOnlyModel):
    """One look at residents' personal data: a profile viewed, a list shown, an export, a full reveal."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看档案")
        LIST = "list", _("列表")
        EXPORT = "export", _("导出")
        REVEAL = "reveal", _("查看完整信息")
        ID_CHECK = "id_check", _("身份证号核验")
        DOWNLOAD = "download", _("下载附件")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    resident_count = models.PositiveIntegerField(_("涉及居民数"), default=0)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    path = models.CharField(_("页面"), max_length=300, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="pdaccess_user_at_idx")]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.resident_count}"


class AccessedResidentQuerySet(AppendOnlyQuerySet):
    pass


class AccessedResident(AppendOnlyModel):
    """Which residents one access touched, so each resident's access history is one indexed lookup.

    A plain id, not a foreign key: stations does not depend on the residents app, and the record must
    outlive the resident. It stays here rather than in residents: it is one half of an access record
    (PersonalDataAccess) and shares the audit trail's append-only guard, retention (`prune_audit`) and
    auditor pages; only the callers (residents' and sws's views) know that the ids are residents'. The
    dependency is one-way: nothing in stations imports residents (tests/stations/test_arrows.py).
    """

    access = models.ForeignKey(PersonalDataAccess, on_delete=models.CASCADE, related_name="residents")
    resident_id = models.BigIntegerField(_("居民编号"), db_index=True)

    objects = AccessedResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问涉及居民")
        verbose_name_plural = _("访问涉及居民")
        constraints = [
            models.UniqueConstraint(fields=["access", "resident_id"], name="accessed_resident_unique")
        ]

    def __str__(self):
        return f"{self.access_id}: {self.resident_id}"


def record_maintenance(command: str, figures: dict[str, int]) -> "AuditLogEntry":
    """An entry in the change log about the audit trail itself: a maintenance command ran (with the guard
    off) and what it did, e.g. {"删除数据变更记录": 12}. The auditor reads it among the changes."""
    from django.contrib.contenttypes.models import ContentType

    return AuditLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AuditLogEntry),
        object_pk=command,
        object_repr=f"审计记录维护：{command}",
        action=AuditLogEntry.Action.UPDATE,
        changes={label: ["", str(count)] for label, count in figures.items()},
        additional_data={"command": command, **figures},
    )


# --- Streets changing station ------------------------------------------------------------------------

_street_scope_counters = []


def count_street_scope(counter):
    """Register `counter(street_id) -> {label: count}`: what belongs to a street's communities and so
    moves scope with it (the residents app registers one; stations imports none of the apps above it)."""
    _street_scope_counters.append(counter)
    return counter


def record_street_move(street, old_station_id, new_station_id, *, actor=None) -> "AuditLogEntry":
    """One change-log entry for a street handed from one station to another (or released, or taken):
    the street, the old and the new station, and how much moved scope with it. Written by
    stations.services.set_served_streets (bulk updates: no signals) and the street admin. Actor and
    address come from the request (auditlog's middleware) when `actor` is not given."""
    figures = {}
    for counter in _street_scope_counters:
        figures.update(counter(street.pk))
    changes = {"station": [str(old_station_id), str(new_station_id)]}
    changes |= {label: ["", str(count)] for label, count in figures.items()}
    return AuditLogEntry.objects.log_create(
        street,
        action=AuditLogEntry.Action.UPDATE,
        changes=changes,
        actor=actor,
        additional_data={"street_moved": True, "from": old_station_id, "to": new_station_id, **figures},
        force_log=True,
    )


def _is_trusted_proxy(address: str) -> bool:
    """Whether the peer that connected to us is one of our own proxies (settings.TRUSTED_PROXIES:
    addresses or networks). Only such a peer's X-Forwarded-For is believed."""
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in getattr(settings, "TRUSTED_PROXIES", ()):
        try:
            if peer in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def forwarded_remote(request) -> str:
    """The client's address as our proxies saw it, unparsed.

    X-Forwarded-For counts only as far as settings.TRUSTED_PROXY_COUNT says our own proxies append to it
    (the entry that many from the right), and only when the connection comes from one of our proxies
    (settings.TRUSTED_PROXIES): a client reaching the app's port directly cannot forge the header.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0 and _is_trusted_proxy(remote):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            remote = hops[-proxies]
    return remote


def client_ip(request) -> str | None:
    """The client address recorded in the audit trail and the login records (`forwarded_remote`):
    a client cannot write an address of its choosing into the audit trail."""
    remote = forwarded_remote(request) or None
    try:
        return str(ipaddress.ip_address(remote)) if remote else None
    except ValueError:
        return None


def record_password_event(user, event: str) -> None:
    """A password set, reset or changed, in the audit trail as a change of the account's 密码 field
    (what happened, never the password or its hash). The actor and address come from the request
    (AuditMiddleware); from a script they are empty."""
    AuditLogEntry.objects.log_create(
        user,
        force_log=True,
        action=AuditLogEntry.Action.UPDATE,
        changes={"password": ["", event]},
    )


def _resident_ids(residents) -> list[int]:
    if residents is None:
        return []
    if isinstance(residents, models.Model):
        return [residents.pk]
    if isinstance(residents, int):
        return [residents]
    ids = []
    for item in residents:
        ids.append(item.pk if isinstance(item, models.Model) else int(item))
    return list(dict.fromkeys(ids))


def record_access(
    request,
    action: str,
    residents: "models.Model | int | Iterable | models.QuerySet | None" = None,
    reason: str = "",
) -> PersonalDataAccess:
    """Record that `request.user` saw residents' personal data; call it in the view that shows it.

    `action` is one of PersonalDataAccess.Action ("view", "list", "export", "reveal"). `residents` is a
    Resident, an id, an iterable of residents or ids (e.g. `page.object_list`), or a QuerySet (exports:
    the ids are copied in the database with one INSERT … SELECT, however many there are). A reveal
    needs a reason. Runs in its own transaction (savepoint), so the record and its resident rows are
    all-or-nothing.
    """
    action = PersonalDataAccess.Action(action)
    reason = (reason or "").strip()
    if action == PersonalDataAccess.Action.REVEAL and not reason:
        raise ValueError("查看完整个人信息必须填写事由。")
    user = request.user
    if not user.is_authenticated:
        raise ValueError("record_access needs a logged-in user.")
    fields = {
        "user": user,
        "ip_address": client_ip(request),
        "action": action,
        "reason": reason[:200],
        "path": request.path[:300],
    }
    using = router.db_for_write(PersonalDataAccess)
    with transaction.atomic(using=using):
        if isinstance(residents, models.QuerySet) and not residents.query.is_sliced:
            ids_sql = _ids_sql(residents, using)
            expected = _count_ids(ids_sql, using)
            access = PersonalDataAccess.objects.create(resident_count=expected, **fields)
            count = _copy_ids(access, ids_sql, using)
            if count != expected:
                # Residents added or removed between the count and the copy (a moment apart): correct
                # the row just inserted, in the same transaction (deliberately past the append-only
                # guards, which are for rows already recorded).
                with append_only_guard_off(using):
                    models.QuerySet.update(
                        PersonalDataAccess.objects.using(using).filter(pk=access.pk), resident_count=count
                    )
            access.resident_count = count
        else:
            ids = _resident_ids(residents)
            access = PersonalDataAccess.objects.create(resident_count=len(ids), **fields)
            AccessedResident.objects.bulk_create(
                [AccessedResident(access=access, resident_id=pk) for pk in ids], batch_size=1000
            )
    return access


def _ids_sql(queryset, using):
    """The SQL of the queryset's distinct primary keys, or None if it can match nothing."""
    ids_query = queryset.order_by().values_list("pk", flat=True).distinct().query
    try:
        return ids_query.get_compiler(using=using).as_sql()
    except EmptyResultSet:  # e.g. `visible_to()` of a user who sees no resident (the auditor): no rows
        return None


def _count_ids(ids_sql, using) -> int:
    if ids_sql is None:
        return 0
    sql, params = ids_sql
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) ids", params)
        return cursor.fetchone()[0]


def _copy_ids(access, ids_sql, using) -> int:
    """INSERT … SELECT the queryset's primary keys: one statement for any size of export."""
    if ids_sql is None:
        return 0
    sql, params = ids_sql
    table = connections[using].ops.quote_name(AccessedResident._meta.db_table)
    access_id = int(access.pk)  # an integer from the database: safe to inline
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (access_id, resident_id) SELECT {access_id}, ids.* FROM ({sql}) ids",
            params,
        )
        return max(cursor.rowcount, 0)
