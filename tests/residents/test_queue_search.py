"""Searching the triage queue (issue 15, item 7): by a resident's or reporter's name, a whole phone
number or its last four digits, a word of the description, received dates, and 全部状态 for history.
Scoped, never an ID number in the address, and a bounded number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from tests.factories import make_request
from tests.residents.factories import id_number, make_resident

URL = reverse("residents:request-queue")


def _found(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, params
    return set(response.context["page"].object_list)


@pytest.fixture
def cast(guoyuan, chaoyangli, jixianli):
    """Requests of 果园新村 about residents and from reporters only, and one of another station."""
    zhang = make_resident(
        chaoyangli,
        name="张桂兰",
        phone="13820135678",
        id_number=id_number(datetime.date(1944, 5, 2), seq=7),
    )
    wang = make_resident(chaoyangli, name="王建国", phone="022-26391234")
    return {
        "zhang": make_request(guoyuan, chaoyangli, resident=zhang, description="楼道灯坏了，晚上出门不便。"),
        "wang": make_request(guoyuan, chaoyangli, resident=wang, description="电动车充电桩排队太久。"),
        "qr": make_request(
            guoyuan,
            chaoyangli,
            channel=Request.Channel.QR,
            reporter_name="刘秀梅",
            reporter_phone="13612349876",
            description="小区门口井盖松动。",
        ),
        "hotline": make_request(
            guoyuan,
            chaoyangli,
            channel=Request.Channel.HOTLINE,
            reporter_name="赵师傅",
            reporter_phone="13900005678",
            description="12345转来：路灯不亮。",
        ),
        "elsewhere": make_request(
            jixianli, reporter_name="张桂兰", reporter_phone="13820135678", description="楼道灯坏了"
        ),
    }


@pytest.mark.django_db
def test_search_by_name_phone_tail_and_keyword(client, worker, cast):
    client.force_login(worker)
    cases = [
        ("张桂兰", {"zhang"}),  # the resident's name (the other station's 张桂兰 is out of scope)
        ("桂兰", {"zhang"}),  # part of a name
        ("刘秀梅", {"qr"}),  # a QR request without a resident: the reporter's name
        ("赵师傅", {"hotline"}),  # a 12345 request: the reporter's name
        ("13820135678", {"zhang"}),  # a whole mobile number, the resident's
        ("138 2013 5678", {"zhang"}),  # …as people write it
        ("13612349876", {"qr"}),  # a whole mobile number, the reporter's
        ("02226391234", {"wang"}),  # a landline, written without its dash
        ("5678", {"zhang", "hotline"}),  # a phone's last four digits: the resident's and a reporter's
        ("9876", {"qr"}),
        ("电动车", {"wang"}),  # a word of the description
        ("路灯", {"hotline"}),
        ("没有这个人", set()),
    ]
    for term, expected in cases:
        assert _found(client, q=term) == {cast[name] for name in expected}, term


@pytest.mark.django_db
def test_search_by_id_tail_never_by_the_whole_number(client, worker, cast):
    client.force_login(worker)
    whole = cast["zhang"].resident.id_number
    assert _found(client, q=whole[-4:]) == {cast["zhang"]}
    response = client.get(URL, {"q": whole, "status": "all"})
    assert response.status_code == 302
    assert whole not in response["Location"] and "status=all" in response["Location"]
    followed = client.get(response["Location"])
    assert "完整身份证号不能用于搜索框" in followed.content.decode()


@pytest.mark.django_db
def test_all_statuses_finds_history(client, worker, guoyuan, cast):
    closed = make_request(guoyuan, reporter_name="刘秀梅", status="closed")
    withdrawn = make_request(guoyuan, reporter_name="刘秀梅", status="withdrawn")
    client.force_login(worker)
    # The default queue holds what is still to do, and says where the history is…
    assert _found(client, q="刘秀梅") == {cast["qr"]}
    only_closed = client.get(URL, {"q": "closed-only"})
    assert "请在“状态”中选择“全部状态”" in only_closed.content.decode()
    # …全部状态 every request, closed and withdrawn ones too.
    assert _found(client, q="刘秀梅", status="all") == {cast["qr"], closed, withdrawn}
    assert _found(client, status="all") == {
        *(cast[k] for k in ("zhang", "wang", "qr", "hotline")),
        closed,
        withdrawn,
    }
    html = client.get(URL).content.decode()
    assert '<option value="all">全部状态（含已结案、撤回）</option>' in html


@pytest.mark.django_db
def test_search_combines_with_community_category_and_dates(client, worker, guoyuan, chaoyangli, cast):
    other_community = guoyuan.streets.get().communities.exclude(pk=chaoyangli.pk).first()
    now = timezone.now()
    old = make_request(
        guoyuan,
        other_community,
        category_name="司法救助",
        reporter_name="刘秀梅",
        received_at=now - datetime.timedelta(days=40),
    )
    client.force_login(worker)
    today = timezone.localdate()
    month_ago = (today - datetime.timedelta(days=30)).isoformat()
    assert _found(client, q="刘秀梅", community=other_community.pk) == {old}
    assert _found(client, q="刘秀梅", category=old.category_id) == {old}
    assert _found(client, q="刘秀梅", received_from=month_ago) == {cast["qr"]}
    assert _found(client, q="刘秀梅", received_to=month_ago) == {old}
    day = timezone.localtime(old.received_at).date().isoformat()
    assert _found(client, received_from=day, received_to=day) == {old}


@pytest.mark.django_db
def test_a_bad_date_is_a_clear_error(client, worker, cast):
    client.force_login(worker)
    response = client.get(URL, {"received_from": "2024-13-45"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()


@pytest.mark.django_db
def test_district_and_city_users_search_their_scope(
    client, district_user, other_district_user, city_user, cast
):
    client.force_login(district_user)
    assert _found(client, q="张桂兰") == {cast["zhang"], cast["elsewhere"]}  # both stations of 北辰区
    client.force_login(other_district_user)
    assert _found(client, q="张桂兰") == set()
    client.force_login(city_user)
    assert _found(client, q="13820135678") == {cast["zhang"], cast["elsewhere"]}


def _bulk(station, community, n):
    Request.objects.bulk_create(
        Request(
            reference=f"BULK-{station.pk}-{i}",
            station=station,
            community=community,
            channel="qr",
            category_id=Request.objects.values_list("category", flat=True).first(),
            description="批量诉求：电梯维修",
            reporter_name=f"居民{i}",
            reporter_phone=f"139{i:08d}",
            severity="mild",
            urgency="not_urgent",
            priority=4,
            due_at=timezone.now() + datetime.timedelta(days=1),
            status="new",
        )
        for i in range(n)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"q": "电梯"}, {"q": "居民"}, {"q": "0001", "status": "all"}, {"q": "13900000001"}],
)
def test_search_query_count_does_not_grow(client, worker, guoyuan, chaoyangli, cast, params):
    client.force_login(worker)
    client.get(URL, params)  # warm up the session and the option lists

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured.captured_queries)

    _bulk(guoyuan, chaoyangli, 30)
    many = queries()
    Request.objects.filter(reference__startswith="BULK-").delete()
    _bulk(guoyuan, chaoyangli, 600)
    # 4 for the page, 3 for its personal-data access record (savepoint, INSERT, release)
    assert queries() == many <= 4 + 3


TRIGRAM_INDEXES = {
    "residents_request": {"request_description_trgm", "request_reporter_name_trgm"},
    "residents_resident": {"resident_name_trgm"},
}


@pytest.mark.django_db
def test_search_indexes_trigram_on_postgresql_only():
    """Migration 0014: pg_trgm GIN indexes for the search's LIKE '%…%' on PostgreSQL; nothing on SQLite
    (which has no such index type). The reporter's phone tail index is declared on the model."""
    with connection.cursor() as cursor:
        for table, expected in TRIGRAM_INDEXES.items():
            names = set(connection.introspection.get_constraints(cursor, table))
            if connection.vendor == "postgresql":
                assert names >= expected
            else:
                assert not names & expected
            if table == "residents_request":
                assert "request_reporter_tail_idx" in names


@pytest.mark.django_db
def test_residents_enter_the_search_as_an_indexable_array_only_for_indexable_terms():
    """On PostgreSQL a name of three characters or more (trigram-indexed) brings its residents as
    `= ANY(ARRAY(…))`, which the planner ORs with the other indexes; a shorter one, which no index
    answers, as `IN (SELECT …)`, a hash lookup per row (an array is searched linearly: 73 s city-wide)."""
    long_sql = str(Request.objects.search("吴桂芝").query)
    short_sql = str(Request.objects.search("桂芝").query)
    tail_sql = str(Request.objects.search("5678").query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(" in long_sql and "= ANY(ARRAY(" in tail_sql
    else:
        assert "ANY(" not in long_sql
    assert "ANY(" not in short_sql and '"resident_id" IN (SELECT' in short_sql
