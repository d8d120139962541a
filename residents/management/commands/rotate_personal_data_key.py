"""Re-encrypt every stored ID number under a new PERSONAL_DATA_KEY.

Why: the key of the residents' ID numbers must be changeable (a person who knew it leaves, a suspected
leak, a scheduled rotation) without losing a single number. Every row is decrypted with the old key and
written again with the new one: ciphertext, keyed hash (uniqueness, exact lookup) and keyed tail
digest (尾号 search) together, in one transaction, so the table is never half old and half new.

The keys never go on the command line (shell history, process lists): the old one is the configured
PERSONAL_DATA_KEY (or --old-key-env names another variable), the new one is read from the environment
variable --new-key-env names (PERSONAL_DATA_KEY_NEW by default). Procedure (README, "Rotating the
personal-data key"): stop the app, run this with --dry-run, run it, set PERSONAL_DATA_KEY to the new key,
start the app.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from residents.crypto import PersonalDataKey, PersonalDataKeyError
from residents.models import ID_NUMBER_COLUMNS, Resident

BATCH = 2000


class DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


class Command(BaseCommand):
    help = (
        "Re-encrypt all residents' ID numbers with a new key (read from the environment variable given by "
        "--new-key-env), atomically. Use --dry-run first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key-env",
            default="PERSONAL_DATA_KEY_NEW",
            help="Environment variable holding the new key (default: PERSONAL_DATA_KEY_NEW).",
        )
        parser.add_argument(
            "--old-key-env",
            default="",
            help="Environment variable holding the current key (default: the configured PERSONAL_DATA_KEY).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Decrypt and re-encrypt every row, report, and write nothing.",
        )
        parser.add_argument("--batch", type=int, default=BATCH, help=f"Rows per batch (default {BATCH}).")

    def handle(self, *args, new_key_env, old_key_env, dry_run, batch, **options):
        old_secret = os.environ.get(old_key_env, "") if old_key_env else settings.PERSONAL_DATA_KEY
        new_secret = os.environ.get(new_key_env, "")
        if not new_secret:
            raise CommandError(f"新密钥未设置：请在环境变量 {new_key_env} 中提供新的 PERSONAL_DATA_KEY。")
        if new_secret.strip() == (old_secret or "").strip():
            raise CommandError("新密钥与当前密钥相同，无需轮换。")
        try:
            old_key = PersonalDataKey.from_secret(old_secret)
            new_key = PersonalDataKey.from_secret(new_secret)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

        rows = Resident.objects.exclude(id_number_encrypted="").only("pk", *ID_NUMBER_COLUMNS)
        total = rows.count()
        self.stdout.write(
            f"{total:,} ID numbers to re-encrypt" + ("（dry run: nothing is written）" if dry_run else "")
        )
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # No writer may slip a row under the old key in between (the app should be stopped).
                    table = connection.ops.quote_name(Resident._meta.db_table)
                    with connection.cursor() as cursor:
                        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                done = self._rotate(rows, old_key, new_key, batch, total)
                self._verify(new_key)
                if dry_run:
                    raise DryRun
        except DryRun:
            self.stdout.write(
                self.style.SUCCESS(f"dry run: all {done:,} decrypt with the old key; rolled back")
            )
            return
        except PersonalDataKeyError as error:
            raise CommandError(f"{error} 未做任何修改（旧密钥不对？）。") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"re-encrypted {done:,} ID numbers. "
                "Now set PERSONAL_DATA_KEY to the new key and restart the app."
            )
        )

    def _rotate(self, rows, old_key, new_key, batch, total) -> int:
        done, last = 0, 0
        while True:
            chunk = list(rows.filter(pk__gt=last).order_by("pk")[:batch])
            if not chunk:
                return done
            for resident in chunk:
                plain = old_key.decrypt(resident.id_number_encrypted)
                held = resident.id_number_hash is None  # a duplicate held for reconciliation: stays out
                for column, value in new_key.columns(plain).items():
                    setattr(resident, column, value)
                if held:
                    resident.id_number_hash = None
            Resident.objects.bulk_update(chunk, list(ID_NUMBER_COLUMNS))
            done += len(chunk)
            last = chunk[-1].pk
            self.stdout.write(f"  {done:,} / {total:,}")

    def _verify(self, new_key):
        """Every row now decrypts with the new key and its hash matches (a sample would miss a bug)."""
        for resident in (
            Resident.objects.exclude(id_number_encrypted="")
            .only("pk", *ID_NUMBER_COLUMNS)
            .iterator(chunk_size=BATCH)
        ):
            plain = new_key.decrypt(resident.id_number_encrypted)
            if resident.id_number_hash is not None and new_key.lookup_hash(plain) != resident.id_number_hash:
                raise CommandError(f"居民 #{resident.pk} 轮换后校验失败，已全部回滚。")
