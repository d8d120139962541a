"""Checks a restored database (deploy/backup/restore-drill): its row counts against the source's, and
that every resident's ID number decrypts with the configured PERSONAL_DATA_KEY.

Run against the restored copy (DATABASE_URL points at it); --source-url names the database the backup
was taken from. The key is the pairing a backup cannot prove by itself: the ID numbers are stored
encrypted, the key lives outside the database, and a restore without the right key restores numbers
nobody can read. Each number must decrypt and hash back to its stored lookup digest.
"""

import environ
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.utils import ConnectionHandler

from residents import crypto
from residents.crypto import PersonalDataKeyError
from residents.models import Resident

# The tables a district would miss first; each is counted in both databases.
MAIN_MODELS = [
    "stations.Station",
    "stations.User",
    "residents.Resident",
    "residents.Request",
    "residents.Referral",
    "casework.Case",
    "projects.Project",
    "projects.Activity",
    "attachments.Attachment",
    "notifications.OutboxMessage",
    "hotline.WorkOrder",
    "stations.AuditLogEntry",
    "stations.PersonalDataAccess",
]
BATCH = 2000


def count_rows(conn, tables):
    counts = {}
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Compare a restored database's row counts with the source's and check its ID numbers decrypt."

    def add_arguments(self, parser):
        parser.add_argument("--source-url", help="the database the backup was taken from (a DATABASE_URL)")

    def handle(self, *args, **options):
        problems = []
        tables = {label: apps.get_model(label)._meta.db_table for label in MAIN_MODELS}
        restored = count_rows(connection, tables.values())
        if options["source_url"]:
            source_handler = ConnectionHandler({"default": environ.Env.db_url_config(options["source_url"])})
            source_conn = source_handler["default"]
            try:
                source = count_rows(source_conn, tables.values())
            finally:
                source_conn.close()
        else:
            source = None
        for label, table in tables.items():
            line = f"{label:32} restored {restored[table]:>9}"
            if source is not None:
                line += f"  source {source[table]:>9}"
                if source[table] != restored[table]:
                    problems.append(
                        f"{label}: {restored[table]} rows restored, {source[table]} in the source"
                    )
                    line += "  DIFFERENT"
            self.stdout.write(line)

        checked = 0
        with_numbers = Resident.objects.exclude(id_number_encrypted="").exclude(
            id_number_encrypted__isnull=True
        )
        for token, stored_hash in with_numbers.values_list("id_number_encrypted", "id_number_hash").iterator(
            BATCH
        ):
            try:
                plain = crypto.decrypt(token)
            except PersonalDataKeyError:
                problems.append(
                    "ID numbers do not decrypt with the configured PERSONAL_DATA_KEY: the backup and the key "
                    "do not belong together (restore the key backed up with this database)"
                )
                break
            if crypto.lookup_hash(plain) != stored_hash:
                problems.append("an ID number decrypts but its lookup digest differs: a rotated or mixed key")
                break
            checked += 1
        self.stdout.write(f"ID numbers decrypted with the configured key: {checked}")
        if restored[tables["residents.Resident"]] and not with_numbers.exists():
            self.stdout.write("(no resident has an ID number recorded: the key was not exercised)")
        if problems:
            raise CommandError("restore check failed:\n  " + "\n  ".join(problems))
        self.stdout.write(self.style.SUCCESS("restore check passed"))
