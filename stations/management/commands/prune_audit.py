"""Delete audit records older than the retention period, and nothing younger.

Why: audit records must be kept at least 180 days (等保 2.0 level 3) and must not grow without end. This
is the only way they leave the database: the models refuse deletion everywhere else. Covers data
changes (AuditLogEntry), personal-data access (PersonalDataAccess with its resident rows) and login
records (axes' AccessLog and AccessFailureLog). Run it from cron, e.g. weekly.

On PostgreSQL the audit tables refuse DELETE at the database level (stations.audit.install_database_guards):
this command switches that guard off for its own transaction only (`append_only_guard_off`), and writes one
entry into the change log saying that it ran and how many records of each kind it deleted
(`record_maintenance`), in the same transaction.
"""

import datetime

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from stations.audit import (
    AccessedResident,
    AuditLogEntry,
    PersonalDataAccess,
    append_only_guard_off,
    record_maintenance,
)

LABELS = {
    "data changes": "删除数据变更记录",
    "personal-data access": "删除个人信息访问记录",
    "logins": "删除登录记录",
    "login failures": "删除登录失败记录",
}


class Command(BaseCommand):
    help = "删除超过保留期的审计记录（数据变更、个人信息访问、登录记录）；保留期不少于180天。"

    def add_arguments(self, parser):
        minimum = settings.SWS_AUDIT_RETENTION_DAYS
        parser.add_argument(
            "--days",
            type=int,
            default=minimum,
            help=f"keep records younger than this many days (default and minimum {minimum})",
        )
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")

    def handle(self, *args, days, dry_run, **options):
        minimum = settings.SWS_AUDIT_RETENTION_DAYS
        if days < minimum:
            raise CommandError(f"保留期不能少于{minimum}天（--days {days}）。")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        self.stdout.write(f"Records before {timezone.localtime(cutoff):%Y-%m-%d %H:%M} ({days} days):")
        kinds = [
            ("data changes", AuditLogEntry.objects.all(), "timestamp"),
            ("personal-data access", PersonalDataAccess.objects.all(), "at"),
            ("  residents in them", AccessedResident.objects.all(), "access__at"),
            ("logins", AccessLog.objects.all(), "attempt_time"),
            ("login failures", AccessFailureLog.objects.all(), "attempt_time"),
        ]
        with transaction.atomic():
            old = {}
            for label, queryset, field in kinds:
                old[label] = queryset.filter(**{f"{field}__lt": cutoff})
                count = old[label].count()
                self.stdout.write(f"  {label}: {count} to delete, {queryset.count() - count} kept")
            if not dry_run:
                deleted = {}
                with append_only_guard_off():
                    for label, _, _ in kinds:
                        if not label.startswith(" "):  # resident rows go with their access record (cascade)
                            # Past the append-only guards on purpose: this command is the retention path.
                            deleted[LABELS[label]] = old[label].count()
                            models.QuerySet.delete(old[label])
                record_maintenance("prune_audit", {"保留天数": days, **deleted})
        self.stdout.write(self.style.SUCCESS("Dry run: nothing deleted." if dry_run else "Done."))
