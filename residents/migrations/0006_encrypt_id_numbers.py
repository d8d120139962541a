"""Encrypt the ID numbers already stored: ciphertext, keyed hash and keyed tail digest for every row.

Keyset batches (no server-side cursor over a table being updated), one UPDATE per row through
bulk_update. An empty table needs no key; rows need settings.PERSONAL_DATA_KEY. Reversible: going back
decrypts into the plain column again (and the plain tail), for a rollback with the same key.
"""

from django.db import migrations

BATCH = 2000


def _batches(queryset):
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def encrypt(apps, schema_editor):
    from residents import crypto

    Resident = apps.get_model("residents", "Resident")
    todo = Resident.objects.using(schema_editor.connection.alias).exclude(id_number=None).exclude(id_number="")
    todo = todo.only("pk", "id_number")
    for rows in _batches(todo):
        key = crypto.current_key()
        for row in rows:
            for column, value in key.columns(row.id_number).items():
                setattr(row, column, value)
        Resident.objects.bulk_update(rows, ["id_number_encrypted", "id_number_hash", "id_tail"])


def decrypt(apps, schema_editor):
    from residents import crypto

    Resident = apps.get_model("residents", "Resident")
    todo = Resident.objects.using(schema_editor.connection.alias).exclude(id_number_encrypted="")
    todo = todo.only("pk", "id_number_encrypted")
    for rows in _batches(todo):
        key = crypto.current_key()
        for row in rows:
            row.id_number = key.decrypt(row.id_number_encrypted)
            row.id_tail = row.id_number[-4:]
            row.id_number_encrypted, row.id_number_hash = "", None
        Resident.objects.bulk_update(rows, ["id_number", "id_tail", "id_number_encrypted", "id_number_hash"])


class Migration(migrations.Migration):
    dependencies = [("residents", "0005_id_number_encrypted_columns")]

    operations = [migrations.RunPython(encrypt, decrypt)]
