"""One-off: take personal and case values out of change-log entries written before they were redacted.

Why: until this release the change log kept residents' names, addresses, notes, birth dates and the masked
ID number (whose hidden digits are the birth date: beside it, the whole number), and requests' and
referrals' free text, readable without the key. New entries are redacted when written
(settings.SWS_AUDIT_REDACTED_FIELDS, stations.audit.redact_changes); this command applies the same rule to
the entries already recorded: which field changed, who, when and from where stay; the values go, and
residents' entries are named by id instead of by name.

This is the one exception to append-only besides the retention prune: it rewrites recorded rows. It runs in
one transaction with the guards switched off for that transaction only (the ORM's deliberately bypassed,
the database's through `append_only_guard_off`), and writes one entry into the change log saying that it ran
and how many entries it redacted (`record_maintenance`). Running it again changes nothing more.

    python manage.py redact_audit_history --dry-run
    python manage.py redact_audit_history
"""

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import models, transaction

from stations.audit import AuditLogEntry, append_only_guard_off, record_maintenance, redact_entry

COMMAND = "redact_audit_history"
FIELDS = ("pk", "changes", "changes_text", "serialized_data", "object_repr", "object_pk", "content_type")


class Command(BaseCommand):
    help = "一次性清理：从已有的数据变更记录中去除个人信息和个案内容的取值（只保留哪些字段被修改）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")

    def handle(self, *args, dry_run, **options):
        from django.conf import settings

        labels = [label.split(".", 1) for label in settings.SWS_AUDIT_REDACTED_FIELDS]
        types = [
            content_type
            for app_label, model in labels
            if (content_type := ContentType.objects.filter(app_label=app_label, model=model).first())
        ]
        entries = (
            AuditLogEntry.objects.filter(content_type__in=types)
            .select_related("content_type")
            .only(*FIELDS)
            .order_by("pk")
        )
        redacted = 0
        with transaction.atomic(), append_only_guard_off():
            for entry in entries.iterator(chunk_size=2000):
                app_label, model = entry.content_type.app_label, entry.content_type.model
                changes, object_repr = redact_entry(
                    app_label, model, entry.changes, entry.object_repr, entry.object_pk
                )
                if (
                    changes == entry.changes
                    and object_repr == entry.object_repr
                    and not entry.changes_text
                    and entry.serialized_data is None
                ):
                    continue
                redacted += 1
                if not dry_run:
                    # Past the append-only guard on purpose: this command is the one-off redaction.
                    models.QuerySet.update(
                        AuditLogEntry.objects.filter(pk=entry.pk),
                        changes=changes,
                        object_repr=object_repr,
                        changes_text="",
                        serialized_data=None,
                    )
                if redacted % 10000 == 0:
                    self.stdout.write(f"  {redacted} entries …")
            if not dry_run:
                record_maintenance(COMMAND, {"脱敏数据变更记录": redacted})
        verb = "would be redacted (dry run: nothing changed)" if dry_run else "redacted"
        self.stdout.write(self.style.SUCCESS(f"{redacted} change-log entries {verb}."))
