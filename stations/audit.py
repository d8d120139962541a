"""The audit trail: who changed what (django-auditlog, into `AuditLogEntry`) and who saw whose personal
data (`PersonalDataAccess`, written by `record_access`).

Audit records are append-only. A row, once written, cannot be saved again or deleted through the model
or its querysets; the only way out is `manage.py prune_audit`, for records older than the retention
period (at least 180 days). Admin classes have no add/change/delete permission for anyone.

The models live here (imported at the end of `stations.models` so Django finds them) because stations
owns users; nothing here imports the residents app: residents are referred to by id.

How views record access to personal data (see `record_access`):

    from stations.audit import record_access

    record_access(request, "view", residents=resident)                   # a resident's page
    record_access(request, "list", residents=page.object_list)          # a list page (what it shows)
    record_access(request, "export", residents=queryset)                # an export (one INSERT … SELECT)
    record_access(request, "reveal", residents=resident, reason=reason) # full ID number shown
"""

import ipaddress
from collections.abc import Iterable

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

AUDITOR_ROLE = "auditor"  # stations.models.User.Role.AUDITOR


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only model (`AppendOnlyModel`)."""


class AuditRecordImmutable(AppendOnlyError):
    """Raised when code tries to change or delete an audit record."""


class RecordImmutable(AppendOnlyError, ValueError):
    """Raised for the case records that are append-only (timeline, resident and plan events, fund
    ledger lines). Also a ValueError, which is what these models raised before the shared guard."""


def is_auditor(user) -> bool:
    """The auditor (审计员) reads the audit trail city-wide and nothing of the case data."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) == AUDITOR_ROLE)


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes and deletes (`manage.py prune_audit` is the one deliberate exception).

    Deleting a parent row still cascades to its append-only rows: Django's deletion collector goes
    through the base manager and raw deletes, not through this queryset or the model's `delete()`.
    """

    def update(self, **kwargs):
        raise self.model.append_only_error(self.model.append_only_message("修改"))

    def delete(self):
        raise self.model.append_only_error(self.model.append_only_message("删除"))


class AppendOnlyModel(models.Model):
    """A row is inserted once, then never saved again nor deleted. Give the model a manager over an
    `AppendOnlyQuerySet` (or a subclass) so bulk `update()` / `delete()` are refused too.

    `append_only_error` is the exception raised (a subclass of `AppendOnlyError`) and
    `append_only_label` names the record in its Chinese message ("审计记录不可修改。").
    """

    append_only_error: type[AppendOnlyError] = AuditRecordImmutable
    append_only_label = "审计记录"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise self.append_only_error(self.append_only_message("修改"))
        # An INSERT, never Django's UPDATE-then-INSERT: an unsaved instance carrying an existing
        # primary key must fail, not overwrite the recorded row.
        if not kwargs.get("force_insert"):
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.append_only_error(self.append_only_message("删除"))

    @classmethod
    def append_only_message(cls, verb: str) -> str:
        return f"{cls.append_only_label}不可{verb}。"


class AuditLogEntryQuerySet(AppendOnlyQuerySet):
    pass


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
        return AbstractLogEntry.__str__(self)


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
    outlive the resident.
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
            access = PersonalDataAccess.objects.create(**fields)
            count = _copy_ids_from_queryset(access, residents, using)
            # The count is known only now: set it on the row just inserted, in the same transaction
            # (deliberately past the append-only guard, which is for rows already recorded).
            models.QuerySet.update(PersonalDataAccess.objects.filter(pk=access.pk), resident_count=count)
            access.resident_count = count
        else:
            ids = _resident_ids(residents)
            access = PersonalDataAccess.objects.create(resident_count=len(ids), **fields)
            AccessedResident.objects.bulk_create(
                [AccessedResident(access=access, resident_id=pk) for pk in ids], batch_size=1000
            )
    return access


def _copy_ids_from_queryset(access, queryset, using) -> int:
    """INSERT … SELECT the queryset's primary keys: one statement for any size of export."""
    ids_query = queryset.order_by().values_list("pk", flat=True).distinct().query
    try:
        sql, params = ids_query.get_compiler(using=using).as_sql()
    except EmptyResultSet:  # e.g. `visible_to()` of a user who sees no resident (the auditor): no rows
        return 0
    table = connections[using].ops.quote_name(AccessedResident._meta.db_table)
    access_id = int(access.pk)  # an integer from the database: safe to inline
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (access_id, resident_id) SELECT {access_id}, ids.* FROM ({sql}) ids",
            params,
        )
        return max(cursor.rowcount, 0)
