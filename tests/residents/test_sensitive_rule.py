"""Masking of minors' and sensitive residents has one rule, `Resident.sensitive` (residents.models): the
case page and lists (template tags), the exports and the queue rows all mask exactly the residents it
names. The queue rows keep a fast path of their own (residents.queue_rows), tested here against the rule."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Resident
from tests.residents.factories import make_request, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(chaoyangli, guoyuan):
    today = timezone.localdate()
    child = make_resident(chaoyangli, name="王小明", birth_date=datetime.date(today.year - 9, 3, 1))
    tagged = make_resident(chaoyangli, name="刘建华", birth_date=datetime.date(1960, 1, 1))
    tagged.tags.create(code="sensitive-rule", name="敏感", sensitive=True)
    plain = make_resident(chaoyangli, name="张桂兰", birth_date=datetime.date(1950, 1, 1))
    residents = [child, tagged, plain]
    requests = [make_request(guoyuan, chaoyangli, resident=r) for r in residents]
    return list(zip(residents, requests, strict=True))


def _csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(body)))


def _masked_in(text, resident):
    """True if `text` shows the resident masked (张**), False if by name; both or neither is a failure."""
    masked, named = resident.masked_name in text, resident.name in text
    assert masked != named, (resident.name, masked, named)
    return masked


def _sensitive(resident):
    return Resident.objects.prefetch_related("tags").get(pk=resident.pk).is_sensitive


def test_the_rule_itself(people):
    assert [_sensitive(r) for r, _ in people] == [True, True, False]


def test_queue_rows_exports_and_case_page_mask_as_the_rule_says(client, worker2, people):
    client.force_login(worker2)  # a station worker without view_sensitive_resident
    queue = client.get(reverse("residents:request-queue")).content.decode()
    request_export = _csv(client.get(reverse("exports:list", args=["requests", "csv"])))
    resident_export = _csv(client.get(reverse("exports:list", args=["residents", "csv"])))
    for resident, request in people:
        expected = _sensitive(resident)
        assert _masked_in(queue, resident) == expected, resident.name  # the fast path, against the rule
        assert _masked_in(request_export, resident) == expected, resident.name
        assert _masked_in(resident_export, resident) == expected, resident.name
        case_page = client.get(request.get_absolute_url()).content.decode()
        assert _masked_in(case_page, resident) == expected, resident.name


def test_changing_the_rule_changes_the_exports_and_the_case_page(client, worker2, people, monkeypatch):
    """Were an export or the template tag to restate the rule, it would not follow this change."""
    monkeypatch.setattr(Resident, "sensitive", lambda self, has_sensitive_tag=None: True)
    client.force_login(worker2)
    request_export = _csv(client.get(reverse("exports:list", args=["requests", "csv"])))
    resident_export = _csv(client.get(reverse("exports:list", args=["residents", "csv"])))
    for resident, request in people:
        assert _masked_in(request_export, resident) and _masked_in(resident_export, resident)
        assert _masked_in(client.get(request.get_absolute_url()).content.decode(), resident)
