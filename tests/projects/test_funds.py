"""Community funds: the balance is derived from the ledger, an overdraw is refused, money is exact."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from projects.models import CommunityFund, FundEntry
from projects.services import record_fund_entry
from tests import factories as f
from tests.projects import factories as pf

D = datetime.date
IN, OUT = FundEntry.Direction.INFLOW, FundEntry.Direction.OUTFLOW


def _record(user, fund, direction, amount, **fields):
    if direction == IN:
        fields.setdefault("channel", FundEntry.Channel.LOTTERY)
    else:
        fields.setdefault("purpose", FundEntry.Purpose.RECIPIENT_AID)
    return record_fund_entry(
        acting_user=user, fund=fund, direction=direction, amount=Decimal(amount), date=D(2023, 6, 1), **fields
    )


def test_balance_is_inflows_minus_outflows_exactly(worker):
    fund = pf.make_fund(worker.station)
    for amount in ["0.10", "0.20", "1000.35"]:
        _record(worker, fund, IN, amount)
    _record(worker, fund, OUT, "0.30")
    assert fund.balance() == Decimal("1000.35")
    annotated = CommunityFund.objects.with_balance().get(pk=fund.pk)
    assert (annotated.inflow, annotated.outflow, annotated.balance) == (
        Decimal("1000.65"),
        Decimal("0.30"),
        Decimal("1000.35"),
    )
    assert isinstance(annotated.balance, Decimal)


def test_an_empty_fund_has_a_zero_balance(worker):
    fund = pf.make_fund(worker.station)
    assert fund.balance() == Decimal("0")
    assert CommunityFund.objects.with_balance().get(pk=fund.pk).balance == Decimal("0")


def test_outflow_larger_than_the_balance_is_refused_and_nothing_is_written(worker):
    fund = pf.make_fund(worker.station)
    _record(worker, fund, IN, "100.00")
    with pytest.raises(ValidationError) as excinfo:
        _record(worker, fund, OUT, "100.01")
    assert "超过基金余额" in excinfo.value.message_dict["amount"][0]
    assert fund.entries.count() == 1
    _record(worker, fund, OUT, "100.00")  # spending exactly the balance is fine
    assert fund.balance() == Decimal("0.00")
    with pytest.raises(ValidationError):
        _record(worker, fund, OUT, "0.01")


def test_inflow_needs_a_channel_and_outflow_a_purpose(worker):
    fund = pf.make_fund(worker.station)
    with pytest.raises(ValidationError):
        record_fund_entry(
            acting_user=worker, fund=fund, direction=IN, amount=Decimal("5"), date=D(2023, 1, 1)
        )
    _record(worker, fund, IN, "5")
    with pytest.raises(ValidationError):
        record_fund_entry(
            acting_user=worker, fund=fund, direction=OUT, amount=Decimal("1"), date=D(2023, 1, 1)
        )
    with pytest.raises(ValidationError):
        _record(worker, fund, IN, "0")


def test_only_the_owning_station_records_entries(worker, other_worker, district_user):
    fund = pf.make_fund(worker.station)
    for outsider in (other_worker, district_user):
        with pytest.raises(PermissionDenied):
            _record(outsider, fund, IN, "10")
    assert not fund.entries.exists()


def test_a_partner_or_project_of_another_station_is_refused(worker, other_worker):
    fund = pf.make_fund(worker.station)
    with pytest.raises(ValidationError):
        _record(worker, fund, IN, "10", partner=pf.make_partner(other_worker.station))
    _record(worker, fund, IN, "10")
    with pytest.raises(ValidationError):
        _record(worker, fund, OUT, "5", project=pf.make_project(other_worker.station))


def test_the_ledger_page_shows_the_running_balance(client, worker):
    fund = pf.make_fund(worker.station, name="金桥街道社区基金")
    pf.make_entry(fund, "300.00", day=D(2023, 1, 1), channel=FundEntry.Channel.LOTTERY)
    pf.make_entry(fund, "200.50", day=D(2023, 2, 1), channel=FundEntry.Channel.ENTERPRISE)
    pf.make_entry(fund, "120.25", OUT, day=D(2023, 3, 1))
    client.force_login(worker)
    response = client.get(reverse("projects:fund-detail", args=[fund.pk]))
    entries = list(response.context["page"].object_list)
    assert [e.balance_after for e in entries] == [Decimal("380.25"), Decimal("500.50"), Decimal("300.00")]
    assert response.context["fund"].balance == Decimal("380.25")
    assert dict(response.context["channels"]) == {
        "彩票代售点注资": Decimal("300.00"),
        "社企联动": Decimal("200.50"),
    }
    assert "380.25" in response.content.decode()


def test_recording_through_the_page(client, worker):
    fund = pf.make_fund(worker.station)
    client.force_login(worker)
    url = reverse("projects:fund-entry-create", args=[fund.pk])
    response = client.post(
        url, {"direction": "in", "amount": "88.80", "date": "2023-05-05", "channel": "residents"}
    )
    assert response.status_code == 302
    assert fund.balance() == Decimal("88.80")
    response = client.post(
        url, {"direction": "out", "amount": "88.81", "date": "2023-05-06", "purpose": "other"}
    )
    assert response.status_code == 400
    assert "超过基金余额" in response.content.decode()
    assert fund.balance() == Decimal("88.80")
    response = client.post(url, {"direction": "out", "amount": "8.80", "date": "2023-05-06"})
    assert response.status_code == 400 and "支出请选择用途" in response.content.decode()


# Threads need committed data, so the test is transactional; naming every app makes the flush afterwards
# TRUNCATE ... CASCADE (auditlog's own table references ours on PostgreSQL), as in tests/residents.
@pytest.mark.django_db(transaction=True, available_apps=f.installed_app_names())
def test_two_outflows_cannot_both_spend_the_same_money(worker):
    """The fund row is locked before the balance is read: of two outflows of 70 from 100, one is refused.

    On PostgreSQL two threads really race (a barrier). SQLite allows one writer at a time, so there the
    two outflows come one after the other in this thread: the same outcome, checked on both backends.
    (Threads on SQLite's shared in-memory test database added no race and once hung the flush after it.)
    """
    fund = pf.make_fund(worker.station)
    _record(worker, fund, IN, "100.00")
    results = []

    def spend():
        try:
            _record(worker, fund, OUT, "70.00")
            results.append("ok")
        except ValidationError:
            results.append("refused")

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)

        def racing():
            try:
                barrier.wait(timeout=30)
                spend()
            finally:
                connection.close()

        threads = [threading.Thread(target=racing) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        spend()
        spend()
    assert sorted(results) == ["ok", "refused"]
    assert fund.balance() == Decimal("30.00")
    assert fund.entries.filter(direction=OUT).count() == 1
