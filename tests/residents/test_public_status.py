""" "Where is my request": reference number + phone tail, and nothing else."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from residents import services
from residents.models import Request, Resident, Severity, Urgency
from residents.views_public import NOT_FOUND_MESSAGE, PUBLIC_PROGRESS
from tests.residents.public_fixtures import csrf_token_from, make_category

URL = reverse("public:status")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The rate limit lives in the process-wide cache: every test starts with a fresh count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def care(db):
    """A broad category residents pick (生活照料)."""
    return make_category("生活照料", Severity.MILD, Urgency.NOT_URGENT)


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def qr_request(worker, chaoyangli, care):
    request = services.create_request(
        acting_user=None,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="楼道灯坏了，想请社工帮忙联系维修",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.QR,
        reporter_name="张阿姨",
        reporter_phone="13812345678",
    )
    Request.objects.filter(pk=request.pk).update(status=Request.Status.IN_PROGRESS, assignee=worker)
    return request


def lookup(client, reference, tail, code=""):
    return client.post(URL, {"reference": reference, "phone_tail": tail, "code": code})


def test_it_shows_the_form(anonymous, db):
    response = anonymous.get(URL)
    assert response.status_code == 200
    assert "受理编号" in response.content.decode()


def test_the_right_pair_shows_status_date_and_progress_only(anonymous, qr_request):
    response = lookup(anonymous, qr_request.reference, "5678")
    html = response.content.decode()
    assert response.status_code == 200
    assert "办理中" in html
    assert PUBLIC_PROGRESS[Request.Status.IN_PROGRESS] in html
    received = qr_request.received_at.astimezone()
    assert f"{received.year}年{received.month}月" in html
    for secret in ["楼道灯坏了", "张阿姨", "13812345678", "徐芃泽", "xupengze", "朝阳里"]:
        assert secret not in html
    assert NOT_FOUND_MESSAGE not in html


def test_a_reference_typed_loosely_is_understood(anonymous, qr_request):
    typed = " " + qr_request.reference.replace("-", "－") + " "  # full-width dashes from a phone keyboard
    assert (
        PUBLIC_PROGRESS[Request.Status.IN_PROGRESS] in lookup(anonymous, typed, "５６７８").content.decode()
    )


@pytest.mark.parametrize(
    ("reference", "tail"),
    [
        (None, "1234"),  # right reference, wrong phone
        (None, "5679"),
        ("120113001-2026-99999", "5678"),  # missing reference, the right tail of someone's phone
        ("120104004-2026-00001", "5678"),
    ],
)
def test_wrong_pairs_and_missing_references_get_the_same_answer(anonymous, qr_request, reference, tail):
    response = lookup(anonymous, reference or qr_request.reference, tail)
    html = response.content.decode()
    assert response.status_code == 200
    assert NOT_FOUND_MESSAGE in html
    assert PUBLIC_PROGRESS[Request.Status.IN_PROGRESS] not in html
    assert "办理中" not in html


def test_a_registered_residents_phone_answers_too(anonymous, worker, chaoyangli, care):
    resident = Resident.objects.create(name="王秀英", phone="13600002222", community=chaoyangli)
    request = services.create_request(
        acting_user=worker,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="换灯泡",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.PHONE,
        resident=resident,
    )
    html = lookup(anonymous, request.reference, "2222", request.lookup_code).content.decode()
    assert PUBLIC_PROGRESS[Request.Status.NEW] in html
    assert "王秀英" not in html


def test_a_request_without_any_phone_is_never_found(anonymous, worker, chaoyangli, care):
    request = services.create_request(
        acting_user=worker,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="社区活动策划",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.COMMITTEE,
    )
    assert NOT_FOUND_MESSAGE in lookup(anonymous, request.reference, "0000").content.decode()


def test_bad_input_gets_a_chinese_message(anonymous, db):
    html = lookup(anonymous, "<script>", "12a4").content.decode()
    assert "受理编号格式不正确" in html
    assert "请输入联系电话的后四位数字。" in html
    assert "<script>" not in html


def test_lookups_are_rate_limited(anonymous, qr_request):
    for _ in range(10):
        assert lookup(anonymous, qr_request.reference, "0000").status_code == 200
    refused = lookup(anonymous, qr_request.reference, "5678")
    assert refused.status_code == 429
    assert "查询过于频繁" in refused.content.decode()
    assert "办理中" not in refused.content.decode()


def test_csrf_is_enforced(qr_request):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, {"reference": qr_request.reference, "phone_tail": "5678"}).status_code == 403
    token = csrf_token_from(client.get(URL).content.decode())
    response = client.post(
        URL, {"reference": qr_request.reference, "phone_tail": "5678", "csrfmiddlewaretoken": token}
    )
    assert PUBLIC_PROGRESS[Request.Status.IN_PROGRESS] in response.content.decode()


@pytest.mark.parametrize("extra", [0, 30])
def test_query_count_is_bounded(anonymous, qr_request, care, django_assert_max_num_queries, extra):
    for _ in range(extra):
        services.create_request(
            acting_user=None,
            station=qr_request.station,
            community=qr_request.community,
            category=care,
            description="x" * 10,
            severity=care.default_severity,
            urgency=care.default_urgency,
            channel=Request.Channel.QR,
            reporter_phone="13812345678",
        )
    with django_assert_max_num_queries(0):
        anonymous.get(URL)
    with django_assert_max_num_queries(1):
        lookup(anonymous, qr_request.reference, "5678")


# --- 15.9: a reference typed without its dashes ------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        lambda ref: ref.replace("-", ""),
        lambda ref: ref.replace("-", " "),
        lambda ref: ref.replace("-", "").translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        lambda ref: ref.replace("-", "／"),
        lambda ref: f"{ref[:9]}-{ref[10:14]}-{int(ref[15:])}",  # the number without its leading zeros
    ],
)
def test_a_reference_without_separators_is_understood(anonymous, qr_request, typed):
    html = lookup(anonymous, typed(qr_request.reference), "5678").content.decode()
    assert PUBLIC_PROGRESS[Request.Status.IN_PROGRESS] in html, html


# --- 14.12e: a worker-filed request answers only with the code the resident was given -----------------
@pytest.fixture
def phoned_in(worker, chaoyangli, care):
    """Taken by a worker on the phone: its reference is the next of a sequence anyone can guess."""
    return services.create_request(
        acting_user=worker,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="换灯泡",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.PHONE,
        reporter_name="李大爷",
        reporter_phone="13600003333",
    )


def test_a_worker_filed_request_needs_its_lookup_code(anonymous, phoned_in):
    for code in ["", "ABCDEF", phoned_in.lookup_code[::-1]]:
        html = lookup(anonymous, phoned_in.reference, "3333", code).content.decode()
        assert NOT_FOUND_MESSAGE in html and PUBLIC_PROGRESS[Request.Status.NEW] not in html
    typed = f" {phoned_in.lookup_code.lower()[:3]} {phoned_in.lookup_code.lower()[3:]} "
    html = lookup(anonymous, phoned_in.reference, "3333", typed).content.decode()
    assert PUBLIC_PROGRESS[Request.Status.NEW] in html
    # The code does not stand in for the phone tail.
    assert (
        NOT_FOUND_MESSAGE
        in lookup(anonymous, phoned_in.reference, "0000", phoned_in.lookup_code).content.decode()
    )


def test_lookup_codes_are_unguessable_and_differ_per_request(worker, chaoyangli, care, phoned_in):
    other = services.create_request(
        acting_user=worker,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="修门",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.PHONE,
        reporter_phone="13600003333",
    )
    assert len(phoned_in.lookup_code) == 6 and phoned_in.lookup_code.isalnum()
    assert phoned_in.lookup_code != other.lookup_code
    assert phoned_in.reference not in phoned_in.lookup_code


def test_the_case_page_shows_the_code_to_give_the_resident(client, worker, phoned_in):
    client.force_login(worker)
    html = client.get(phoned_in.get_absolute_url()).content.decode()
    assert phoned_in.lookup_code in html and "查询码" in html


def test_the_qr_confirmation_shows_the_code_and_the_qr_flow_still_works(anonymous, chaoyangli, care):
    from tests.residents.public_fixtures import intake_payload

    response = anonymous.post(reverse("public:intake", args=[chaoyangli.code]), intake_payload(care))
    done = anonymous.get(response.url).content.decode()
    request = Request.objects.get()
    assert request.reference in done and request.lookup_code in done and "查询码" in done
    assert (
        PUBLIC_PROGRESS[Request.Status.NEW] in lookup(anonymous, request.reference, "5678").content.decode()
    )
    with_code = lookup(anonymous, request.reference, "5678", request.lookup_code).content.decode()
    assert PUBLIC_PROGRESS[Request.Status.NEW] in with_code
    wrong_code = lookup(anonymous, request.reference, "5678", "ZZZZZZ").content.decode()
    assert NOT_FOUND_MESSAGE in wrong_code
