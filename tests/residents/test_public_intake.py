"""The public QR intake page: a resident with no account asks for help in their community."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from residents import services
from residents.models import Request, Resident, Severity, TimelineEvent, Urgency
from residents.views_public import MAX_BODY_BYTES, client_address
from tests import factories as f
from tests.residents.public_fixtures import csrf_token_from, intake_payload, make_category


def intake_url(community):
    return reverse("public:intake", args=[community.code])


def post(client, community, data, **extra):
    return client.post(intake_url(community), data, **extra)


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
def legal(db):
    """法律/司法救助: severe by default."""
    return make_category("法律/司法救助", Severity.SEVERE, Urgency.NOT_URGENT)


@pytest.fixture
def anonymous():
    return Client()


# --- works ------------------------------------------------------------------------------------------
def test_it_shows_the_form_with_the_privacy_notice(anonymous, chaoyangli, care):
    response = anonymous.get(intake_url(chaoyangli))
    assert response.status_code == 200
    html = response.content.decode()
    assert "朝阳里社区" in html
    assert "果园新村街道社工站" in html
    assert "个人信息告知" in html and "我已阅读并同意《个人信息告知》" in html
    assert 'name="token"' in html and 'name="csrfmiddlewaretoken"' in html
    assert "生活照料" in html
    assert "no-store" in response["Cache-Control"]


def test_it_lands_in_the_station_queue_as_new_qr_with_the_reference_shown(
    anonymous, guoyuan, chaoyangli, legal
):
    data = intake_payload(
        legal, description="孩子需要司法救助，想咨询怎么申请。", reporter_phone="138 1234 5678"
    )
    response = post(anonymous, chaoyangli, data)
    assert response.status_code == 302

    created = Request.objects.get()
    assert created.station == guoyuan
    assert created.community == chaoyangli
    assert created.status == Request.Status.NEW
    assert created.channel == Request.Channel.QR
    assert created.reporter_name == "张阿姨"
    assert created.reporter_phone == "13812345678"  # normalised
    assert created.resident is None and created.created_by is None
    assert created.category == legal
    assert (created.severity, created.urgency) == (legal.default_severity, legal.default_urgency)
    assert created.priority == legal.default_priority
    assert created.reference.startswith(f"{guoyuan.code}-")
    assert TimelineEvent.objects.filter(request=created, kind=TimelineEvent.Kind.CREATED).exists()

    done = anonymous.get(response["Location"])
    assert done.status_code == 200
    assert created.reference in done.content.decode()


def test_the_station_sees_it_in_its_queue_and_others_do_not(
    anonymous, client, worker, other_worker, chaoyangli, care
):
    post(anonymous, chaoyangli, intake_payload(care, description="扫码反映：单元门禁坏了"))
    reference = Request.objects.get().reference
    client.force_login(worker)
    assert reference in client.get(reverse("residents:request-queue")).content.decode()
    client.force_login(other_worker)
    assert reference not in client.get(reverse("residents:request-queue")).content.decode()


def test_the_done_page_refuses_a_forged_token(anonymous, chaoyangli, care):
    url = reverse("public:intake-done", args=[chaoyangli.code])
    response = anonymous.get(url, {"t": "120113001-2026-00001"})
    assert response.status_code == 302
    assert response["Location"] == intake_url(chaoyangli)


def test_csrf_is_enforced(chaoyangli, care):
    client = Client(enforce_csrf_checks=True)
    refused = post(client, chaoyangli, intake_payload(care))
    assert refused.status_code == 403
    assert not Request.objects.exists()

    token = csrf_token_from(client.get(intake_url(chaoyangli)).content.decode())
    accepted = post(client, chaoyangli, intake_payload(care, csrfmiddlewaretoken=token))
    assert accepted.status_code == 302
    assert Request.objects.count() == 1


# --- protected --------------------------------------------------------------------------------------
def test_the_sixth_submission_in_ten_minutes_is_refused(anonymous, chaoyangli, care):
    for _ in range(5):
        assert post(anonymous, chaoyangli, intake_payload(care)).status_code == 302
    refused = post(anonymous, chaoyangli, intake_payload(care))
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert Request.objects.count() == 5

    # Another client is not affected.
    other = post(anonymous, chaoyangli, intake_payload(care), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302
    assert Request.objects.count() == 6


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(anonymous, chaoyangli, care):
    for n in range(5):
        post(anonymous, chaoyangli, intake_payload(care), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    refused = post(anonymous, chaoyangli, intake_payload(care), HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert refused.status_code == 429
    assert Request.objects.count() == 5


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.1"]  # the proxy's address: its X-Forwarded-For is believed
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"  # what our proxy saw, not what the client claimed
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert client_address(v6) == "2001:db8:1:2::/64"


def test_invalid_forms_do_not_use_up_the_limit(anonymous, chaoyangli, care):
    for _ in range(6):
        assert post(anonymous, chaoyangli, intake_payload(care, reporter_phone="12")).status_code == 200
    assert post(anonymous, chaoyangli, intake_payload(care)).status_code == 302


def test_a_filled_honeypot_silently_succeeds_without_saving(anonymous, chaoyangli, care):
    response = post(anonymous, chaoyangli, intake_payload(care, website="http://spam.example"))
    assert response.status_code == 302
    assert not Request.objects.exists()
    done = anonymous.get(response["Location"])
    assert done.status_code == 200
    assert "提交成功" in done.content.decode()
    assert "受理编号" not in done.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "灯" * 1001, "内容请不要超过1000字。"),
        ("description", "  ", "请填写需要帮助的内容。"),
        ("reporter_name", "张" * 51, "称呼请不要超过50字。"),
        ("reporter_phone", "12345", "电话号码格式不正确"),
        ("reporter_phone", "1" * 31, "电话号码格式不正确"),
        ("category", "999999", "请选择列表中的诉求类别。"),
        ("token", "short", "页面已过期"),
    ],
)
def test_bad_input_saves_nothing_and_says_why(anonymous, chaoyangli, care, field, value, message):
    response = post(anonymous, chaoyangli, intake_payload(care, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Request.objects.exists()


def test_an_oversized_body_is_refused(anonymous, chaoyangli, care):
    data = intake_payload(care, padding="x" * (MAX_BODY_BYTES + 1))
    response = post(anonymous, chaoyangli, data)
    assert response.status_code == 413
    assert "过长" in response.content.decode()
    assert not Request.objects.exists()


def test_privacy_consent_is_required(anonymous, chaoyangli, care):
    data = intake_payload(care)
    del data["consent"]
    response = post(anonymous, chaoyangli, data)
    assert response.status_code == 200
    assert "请先阅读并勾选同意《个人信息告知》。" in response.content.decode()
    assert not Request.objects.exists()


def test_submitting_the_same_form_twice_creates_one_request(anonymous, chaoyangli, care):
    data = intake_payload(care)
    first = post(anonymous, chaoyangli, data)
    second = post(anonymous, chaoyangli, data)
    assert Request.objects.count() == 1
    reference = Request.objects.get().reference
    assert reference in anonymous.get(first["Location"]).content.decode()
    assert reference in anonymous.get(second["Location"]).content.decode()


def test_the_page_leaks_nothing(anonymous, worker, chaoyangli, care):
    resident = Resident.objects.create(
        name="王秀英", id_number="120113194503120024", phone="13812345678", community=chaoyangli
    )
    services.create_request(
        acting_user=worker,
        station=worker.station,
        community=chaoyangli,
        category=care,
        description="独居老人需要换灯泡",
        severity=care.default_severity,
        urgency=care.default_urgency,
        channel=Request.Channel.PHONE,
        resident=resident,
        reporter_name="李邻居",
        reporter_phone="13900001111",
    )
    secrets = [
        "王秀英",
        "120113194503120024",
        "独居老人需要换灯泡",
        "李邻居",
        "13900001111",
        "徐芃泽",
        "xupengze",
    ]
    existing_reference = Request.objects.get().reference

    page = anonymous.get(intake_url(chaoyangli)).content.decode()
    # The resident types the same phone as the registered resident: still no link, nothing shown.
    response = post(anonymous, chaoyangli, intake_payload(care, reporter_phone="13812345678"))
    done = anonymous.get(response["Location"]).content.decode()
    for html in (page, done):
        for secret in [*secrets, existing_reference]:
            assert secret not in html
    assert Request.objects.get(channel=Request.Channel.QR).resident is None


# --- places -----------------------------------------------------------------------------------------
def test_a_community_whose_street_has_no_station_is_not_open(anonymous, beichen, care):
    street = f.make_street("120113003000", "天穆镇", beichen, kind="镇")
    village = f.make_community("120113003201", "天穆村村民委员会", street, kind="村")
    page = anonymous.get(intake_url(village))
    assert page.status_code == 200
    assert "本社区暂未开通" in page.content.decode()
    response = post(anonymous, village, intake_payload(care))
    assert "本社区暂未开通" in response.content.decode()
    assert not Request.objects.exists()


def test_an_unknown_community_is_404(anonymous, guoyuan, care):
    response = anonymous.get("/r/120113001999/")
    assert response.status_code == 404
    assert "未找到该社区" in response.content.decode()


def test_each_community_lands_in_its_own_station(anonymous, chaoyangli, hualinyuan, guangkai, care):
    post(anonymous, hualinyuan, intake_payload(care))
    assert Request.objects.get().station == guangkai


# --- cost -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [0, 40])
def test_query_count_is_bounded(anonymous, worker, chaoyangli, care, django_assert_max_num_queries, extra):
    for n in range(extra):
        make_category(f"分类{n}")
        services.create_request(
            acting_user=worker,
            station=worker.station,
            community=chaoyangli,
            category=care,
            description="已有诉求",
            severity=care.default_severity,
            urgency=care.default_urgency,
            channel=Request.Channel.PHONE,
        )
    with django_assert_max_num_queries(2):
        assert anonymous.get(intake_url(chaoyangli)).status_code == 200
    # The intake service (savepoints, counter), and the staff's inbox entries (people, choices, text, rows).
    with django_assert_max_num_queries(22):
        response = post(anonymous, chaoyangli, intake_payload(care))
    assert response.status_code == 302
    with django_assert_max_num_queries(1):
        assert anonymous.get(response["Location"]).status_code == 200
