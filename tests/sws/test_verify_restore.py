"""`manage.py verify_restore` (the restore drill): counts compared, ID numbers decrypt with the key."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.residents.factories import id_number, make_resident

pytestmark = pytest.mark.django_db

OTHER_KEY = "not-the-key-this-database-was-encrypted-with-0123456789"


def test_passes_when_the_numbers_decrypt_with_the_configured_key(chaoyangli, capsys):
    make_resident(chaoyangli, id_number=id_number(datetime.date(1944, 5, 2), gender="F", seq=71))
    make_resident(chaoyangli, name="无证件")
    call_command("verify_restore")
    out = capsys.readouterr().out
    assert "ID numbers decrypted with the configured key: 1" in out
    assert "residents.Resident" in out and "restore check passed" in out


def test_fails_with_another_key(chaoyangli):
    make_resident(chaoyangli, id_number=id_number(datetime.date(1950, 1, 9), gender="M", seq=13))
    with override_settings(PERSONAL_DATA_KEY=OTHER_KEY), pytest.raises(CommandError, match="do not belong"):
        call_command("verify_restore")


def test_fails_when_counts_differ_from_the_source(chaoyangli, tmp_path):
    # The source: a SQLite file with the same tables and fewer residents than the restored copy.
    import sqlite3

    from django.apps import apps

    from sws.management.commands.verify_restore import MAIN_MODELS

    make_resident(chaoyangli, name="张桂兰")
    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        for label in MAIN_MODELS:
            db.execute(f'CREATE TABLE "{apps.get_model(label)._meta.db_table}" (id integer)')
    with pytest.raises(CommandError, match=r"residents.Resident: 1 rows restored, 0 in the source"):
        call_command("verify_restore", source_url=f"sqlite:///{source}")
