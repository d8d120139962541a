"""ID numbers at rest: encrypted, looked up and kept unique through a keyed hash, searched by a keyed tail
digest, and re-encrypted by `rotate_personal_data_key`."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from residents import crypto, services
from residents.crypto import PersonalDataKey, PersonalDataKeyError
from residents.models import Resident
from tests.residents.factories import id_number, make_resident

pytestmark = pytest.mark.django_db

NUMBER = id_number(datetime.date(1944, 5, 2), gender="F", seq=71)
NEW_KEY = "a-new-personal-data-key-for-the-rotation-test-0123456789"


def raw_row(resident) -> dict:
    """The resident's row as the database holds it, bypassing the model."""
    table = connection.ops.quote_name(Resident._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [resident.pk])
        columns = [col[0] for col in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_round_trip(chaoyangli):
    resident = make_resident(chaoyangli, id_number=NUMBER.lower(), phone="13812345678")
    fresh = Resident.objects.get(pk=resident.pk)
    assert fresh.id_number == NUMBER  # normalised, then decrypted from the stored ciphertext
    assert fresh.masked_id_number == f"{NUMBER[:6]}********{NUMBER[-4:]}"
    assert fresh.id_number_encrypted != NUMBER and crypto.decrypt(fresh.id_number_encrypted) == NUMBER


def test_the_database_holds_no_plain_id_number(chaoyangli):
    resident = make_resident(chaoyangli, id_number=NUMBER)
    row = raw_row(resident)
    assert "id_number" not in row  # the plain column was dropped (migration 0007)
    stored = " ".join(str(value) for value in row.values())
    assert NUMBER not in stored
    assert NUMBER[6:14] + NUMBER[14:] not in stored  # no birth-date-and-tail fragment either
    assert row["id_tail"] != NUMBER[-4:]  # the tail is a keyed digest, not the last four characters
    assert row["id_number_hash"] == crypto.lookup_hash(NUMBER) != NUMBER


def test_no_id_number_means_no_ciphertext_and_no_hash(chaoyangli):
    resident = make_resident(chaoyangli, id_number="")
    row = raw_row(resident)
    assert (row["id_number_encrypted"], row["id_number_hash"], row["id_tail"]) == ("", None, "")
    assert Resident.objects.get(pk=resident.pk).id_number is None


def test_setting_the_same_number_again_keeps_the_ciphertext(chaoyangli):
    resident = make_resident(chaoyangli, id_number=NUMBER)
    token = resident.id_number_encrypted
    resident.id_number = NUMBER.lower()
    assert resident.id_number_encrypted == token  # nothing changed, so nothing shows as changed


def test_lookup_through_the_keyed_hash(chaoyangli):
    resident = make_resident(chaoyangli, id_number=NUMBER)
    assert list(Resident.objects.with_id_number(f" {NUMBER.lower()} ")) == [resident]
    assert not Resident.objects.with_id_number(id_number(seq=72)).exists()
    assert not Resident.objects.with_id_number("").exists()


def test_tail_search_uses_the_keyed_digest(chaoyangli):
    resident = make_resident(chaoyangli, name="李淑芬", id_number=NUMBER)
    assert list(Resident.objects.search(NUMBER[-4:].lower())) == [resident]
    # A whole ID number is not a search term (searches travel in URLs): it finds nothing.
    assert not Resident.objects.search(NUMBER).exists()


def test_the_database_refuses_a_duplicate_number(chaoyangli, tailaixili):
    make_resident(chaoyangli, id_number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resident(tailaixili, name="王秀英", id_number=NUMBER)


def test_a_duplicate_registered_at_the_same_moment_gets_the_chinese_message(chaoyangli, worker):
    # The form's check passed for both; the unique hash refuses the second, with the form's message.
    make_resident(chaoyangli, id_number=NUMBER)
    with pytest.raises(ValidationError) as refused:
        services.register_resident(acting_user=worker, name="重复", community=chaoyangli, id_number=NUMBER)
    assert "刚被登记" in refused.value.message_dict["id_number"][0]
    assert Resident.objects.count() == 1


def test_the_form_refuses_a_duplicate_with_a_chinese_message(client, worker, chaoyangli):
    make_resident(chaoyangli, name="王秀英", id_number=NUMBER)
    client.force_login(worker)
    response = client.post(
        "/residents/new/", {"name": "重复", "community": chaoyangli.pk, "id_number": NUMBER.lower()}
    )
    assert response.status_code == 200
    assert "该身份证号已登记为本站居民" in str(response.context["form"].errors["id_number"])
    assert Resident.objects.count() == 1


def test_another_key_cannot_read_the_numbers(chaoyangli):
    resident = make_resident(chaoyangli, id_number=NUMBER)
    with override_settings(PERSONAL_DATA_KEY=NEW_KEY):
        fresh = Resident.objects.get(pk=resident.pk)
        with pytest.raises(PersonalDataKeyError):
            fresh.id_number  # noqa: B018
        assert not Resident.objects.with_id_number(NUMBER).exists()  # another key, another hash


def test_a_short_key_is_refused():
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        PersonalDataKey.from_secret("too-short")


def test_production_settings_require_the_key():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PERSONAL_DATA_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    } | {"DEBUG": "false", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "-c", "import sws.settings"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "PERSONAL_DATA_KEY" in result.stderr


# --- rotate_personal_data_key ------------------------------------------------------------------------


@pytest.fixture
def registered(chaoyangli):
    people = [make_resident(chaoyangli, name=f"居民{i}", id_number=id_number(seq=80 + i)) for i in range(5)]
    return people + [make_resident(chaoyangli, name="无证件", id_number="")]


def _stored(residents):
    return {
        r.pk: tuple(raw_row(r)[c] for c in ("id_number_encrypted", "id_number_hash", "id_tail"))
        for r in residents
    }


def test_rotation_re_encrypts_every_number(registered, monkeypatch, capsys):
    numbers = {r.pk: r.id_number for r in registered}
    before = _stored(registered)
    monkeypatch.setenv("PERSONAL_DATA_KEY_NEW", NEW_KEY)
    call_command("rotate_personal_data_key")
    out = capsys.readouterr().out
    assert "5 ID numbers to re-encrypt" in out and "5 / 5" in out and "re-encrypted 5" in out
    after = _stored(registered)
    assert all(after[pk] != before[pk] for pk, number in numbers.items() if number)
    with override_settings(PERSONAL_DATA_KEY=NEW_KEY):
        for pk, number in numbers.items():
            assert Resident.objects.get(pk=pk).id_number == number
            if number:
                assert list(Resident.objects.with_id_number(number).values_list("pk", flat=True)) == [pk]
                assert pk in Resident.objects.search(number[-4:]).values_list("pk", flat=True)
    with pytest.raises(PersonalDataKeyError):  # the old key no longer reads them
        Resident.objects.get(pk=registered[0].pk).id_number  # noqa: B018


def test_rotation_keeps_a_held_duplicate_out_of_the_unique_index(registered, monkeypatch, capsys, worker):
    """A number held for reconciliation (14.4: registered again outside the first record's scope) is
    re-encrypted but stays out of the unique index, so the rotation neither fails nor merges them."""
    held = services.register_resident(
        acting_user=worker,
        name="重复登记",
        community=registered[0].community,
        id_number=registered[0].id_number,
        hold_id_number=True,
    )
    monkeypatch.setenv("PERSONAL_DATA_KEY_NEW", NEW_KEY)
    call_command("rotate_personal_data_key")
    assert "re-encrypted 6" in capsys.readouterr().out
    with override_settings(PERSONAL_DATA_KEY=NEW_KEY):
        fresh = Resident.objects.get(pk=held.pk)
        assert fresh.id_number == registered[0].id_number and fresh.id_number_hash is None


def test_rotation_dry_run_writes_nothing(registered, monkeypatch, capsys):
    before = _stored(registered)
    monkeypatch.setenv("PERSONAL_DATA_KEY_NEW", NEW_KEY)
    call_command("rotate_personal_data_key", "--dry-run")
    assert "rolled back" in capsys.readouterr().out
    assert _stored(registered) == before


def test_rotation_with_the_wrong_old_key_changes_nothing(registered, monkeypatch):
    before = _stored(registered)
    monkeypatch.setenv("PERSONAL_DATA_KEY_NEW", NEW_KEY)
    monkeypatch.setenv("WRONG_OLD_KEY", "not-the-key-these-numbers-were-encrypted-with-000")
    with pytest.raises(CommandError, match="未做任何修改"):
        call_command("rotate_personal_data_key", "--old-key-env", "WRONG_OLD_KEY")
    assert _stored(registered) == before


def test_rotation_needs_a_new_key(registered, monkeypatch):
    monkeypatch.delenv("PERSONAL_DATA_KEY_NEW", raising=False)
    with pytest.raises(CommandError, match="新密钥未设置"):
        call_command("rotate_personal_data_key")


def test_the_system_check_refuses_a_short_key():
    from residents.checks import personal_data_key

    assert personal_data_key(None) == []
    with override_settings(PERSONAL_DATA_KEY="short"):
        assert [error.id for error in personal_data_key(None)] == ["residents.E001"]
