"""Append-only records: the model base and queryset that refuse changes and deletes, their exception
types, and the PostgreSQL trigger that refuses them at the database level (`install_database_guards`;
`append_only_guard_off` for the two maintenance commands).
"""

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row of an append-only model (`AppendOnlyModel`)."""


class AuditRecordImmutable(AppendOnlyError):
    """Raised when code tries to change or delete an audit record."""


class RecordImmutable(AppendOnlyError, ValueError):
    """Raised for the case records that are append-only (timeline, resident and plan events, fund
    ledger lines). Also a ValueError, which is what these models raised before the shared guard."""


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
    # On PostgreSQL the database refuses UPDATE of these rows, and DELETE too unless this is False: case
    # records (timeline, resident and plan events, fund lines) go with their request, resident, plan or
    # fund when an administrator deletes it (Django's cascade), as they always have.
    append_only_db_refuses_delete = True

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


# --- Append-only at the database level (PostgreSQL) --------------------------------------------------

GUARD_SETTING = "sws.append_only_guard"  # a custom run-time parameter, transaction-local when set
GUARD_FUNCTION = "sws_append_only_guard"
GUARD_TRIGGER = "sws_append_only"
GUARD_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {GUARD_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{GUARD_SETTING}', true) = 'off' THEN
        RETURN NULL;  -- a statement-level trigger: the return value is ignored
    END IF;
    RAISE EXCEPTION '% on % refused: the table is append-only (% 不可修改或删除)',
        TG_OP, TG_TABLE_NAME, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def append_only_models() -> list[type[models.Model]]:
    """Every concrete model built on AppendOnlyModel: the tables the database guard covers."""
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.abstract and not model._meta.proxy
    ]


def install_database_guards(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """On PostgreSQL, a BEFORE UPDATE/DELETE trigger on the table of every append-only model (idempotent;
    run after every migrate by stations.apps). Returns the tables guarded; nothing on other databases.

    The trigger raises unless the transaction set `sws.append_only_guard` to 'off'
    (`append_only_guard_off`), which only the retention prune, the one-off redaction and the count of
    an export's access record do. TRUNCATE is not covered (it needs the table owner's rights, which the
    application role should not have: see README, Audit trail).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    qn = connection.ops.quote_name
    tables = []
    with connection.cursor() as cursor:
        cursor.execute(GUARD_FUNCTION_SQL)
        for model in append_only_models():
            table = model._meta.db_table
            operations = "UPDATE OR DELETE" if model.append_only_db_refuses_delete else "UPDATE"
            cursor.execute(f"DROP TRIGGER IF EXISTS {GUARD_TRIGGER} ON {qn(table)}")
            cursor.execute(
                f"CREATE TRIGGER {GUARD_TRIGGER} BEFORE {operations} ON {qn(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {GUARD_FUNCTION}()"
            )
            tables.append(table)
    return tables


class append_only_guard_off:
    """Inside a transaction: the database guard is off until the block ends (then on again), for this
    transaction only. The ORM guard is not affected: callers bypass it deliberately
    (`models.QuerySet.update/delete`). A no-op on databases without the guard."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.connection = connections[using]

    def _set(self, value):
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [GUARD_SETTING, value])

    def __enter__(self):
        if not self.connection.in_atomic_block:
            raise RuntimeError("append_only_guard_off() must run inside transaction.atomic().")
        self._set("off")
        return self

    def __exit__(self, exc_type, exc, traceback):
        try:
            self._set("")
        except DatabaseError:
            if exc_type is None:
                raise
            # The transaction is aborted by the error in flight; its rollback resets the setting.
        return False
