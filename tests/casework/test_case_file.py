"""The printable case file (个案档案) and the XLSX case register (个案台账): what they hold, in which order,
for whom (scope, the sensitive-records permission, masking), that each read is logged, and that their
query counts do not grow with the case or the number of cases."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.audit import PersonalDataAccess
from tests import factories as f
from tests.casework.factories import make_case, make_supervisor
from tests.casework.file_factories import make_full_case
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
REGISTER = reverse("exports:case-register")


@pytest.fixture
def supervisor(district_user):
    return make_supervisor(district_user)


@pytest.fixture
def client_resident(chaoyangli):
    return make_resident(chaoyangli, name="孙秀英", id_number="120113194405021237", phone="13820135678")


@pytest.fixture
def full_case(guoyuan, client_resident, worker, worker2, supervisor):
    return make_full_case(guoyuan, client_resident, worker2, worker, supervisor=supervisor, repeat=2)


def _get(client, user, url, params=None):
    client.force_login(user)
    return client.get(url, params or {})


def _book(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["个案台账"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "个案编号"))
    return [dict(zip(rows[header], row, strict=False)) for row in rows[header + 1 :]]


# --- the case file -----------------------------------------------------------------------------------
def test_the_case_file_has_a_cover_and_every_stage_in_order(client, full_case, worker2):
    response = _get(client, worker2, reverse("casework:case-file", args=[full_case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    headings = ["个案档案", "一、接案", "二、知情同意", "三、预估", "四、服务计划", "五、介入（服务记录）"]
    headings += ["六、评估", "七、结案", "八、督导", "九、个案会议", "十、待办", "十一、附件清单"]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    # The cover: reference, client (ID number and phone masked as the pages mask), workers, stage.
    assert full_case.reference in html and "孙秀英" in html
    assert "120113194405021237" not in html and "13820135678" not in html
    assert "120113********1237" in html and "138****5678" in html
    assert "已结案" in html
    # Every version of the assessment stays readable, and each stage's records are there.
    assert "第1次预估" in html and "第2次预估" in html
    for text in (
        "陪同前往区法律援助中心1",
        "获得法律援助2",
        "很感谢",
        "已获法律援助",
        "督导意见2",
        "申请法律援助",
        "提交申请材料1",
    ):
        assert text in html
    assert "区督导签批" in html


def test_reading_the_case_file_is_logged(client, full_case, worker2):
    before = PersonalDataAccess.objects.count()
    _get(client, worker2, reverse("casework:case-file", args=[full_case.pk]))
    entry = PersonalDataAccess.objects.order_by("-pk").first()
    assert PersonalDataAccess.objects.count() == before + 1
    assert entry.action == "view" and full_case.reference in entry.reason
    assert list(entry.residents.values_list("resident_id", flat=True)) == [full_case.client_id]


def test_the_case_file_is_404_outside_the_confidentiality_rule(
    client,
    full_case,
    guoyuan,
    other_worker,
    far_worker,
    city_user,
    admin_user,
    other_district_user,
    worker,
    supervisor,
):
    colleague = f.make_user("st-120113001-9", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    url = reverse("casework:case-file", args=[full_case.pk])
    for outsider in (colleague, other_worker, far_worker, city_user, admin_user, other_district_user):
        assert _get(client, outsider, url).status_code == 404, outsider
    for reader in (worker, supervisor):  # the head, the district's supervisor
        assert _get(client, reader, url).status_code == 200
    assert _get(client, worker, reverse("casework:case-file", args=[full_case.pk + 1000])).status_code == 404


def test_a_minors_case_file_needs_the_sensitive_permission(client, guoyuan, chaoyangli, worker, worker2):
    child = make_resident(chaoyangli, name="小明", birth_date=datetime.date(2015, 5, 1))
    case = make_case(guoyuan, child, worker2)
    url = reverse("casework:case-file", args=[case.pk])
    before = PersonalDataAccess.objects.count()
    assert _get(client, worker2, url).status_code == 403
    assert PersonalDataAccess.objects.count() == before  # nothing shown, nothing logged
    assert _get(client, worker, url).status_code == 200


def test_the_case_file_query_count_does_not_grow_with_the_case(
    client, guoyuan, client_resident, worker, worker2, supervisor, django_assert_max_num_queries
):
    small = make_full_case(guoyuan, client_resident, worker2, worker, supervisor=supervisor, repeat=1)
    large = make_full_case(guoyuan, client_resident, worker2, worker, supervisor=supervisor, repeat=8)
    client.force_login(worker2)

    def count(case):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("casework:case-file", args=[case.pk])).status_code == 200
        return len(queries)

    assert count(small) == count(large)
    with django_assert_max_num_queries(32):
        client.get(reverse("casework:case-file", args=[large.pk]))


def test_the_case_page_links_to_the_file(client, full_case, worker2):
    html = _get(client, worker2, full_case.get_absolute_url()).content.decode()
    assert reverse("casework:case-file", args=[full_case.pk]) in html


# --- the register -----------------------------------------------------------------------------------
@pytest.fixture
def cases(guoyuan, jixianli, chaoyangli, tailaixili, worker, worker2, other_worker):
    adult = make_resident(chaoyangli, name="孙秀英")
    child = make_resident(chaoyangli, name="刘小雨", birth_date=datetime.date(2014, 6, 1))
    return {
        "own": make_case(guoyuan, adult, worker2, stage="intervention", risk="high"),
        "child": make_case(guoyuan, child, worker2, stage="assessment", presenting_problem="需司法救助"),
        "head": make_case(guoyuan, adult, worker, stage="closed"),
        "other": make_case(jixianli, make_resident(tailaixili, name="周国强"), other_worker),
    }


def _references(response):
    return {row["个案编号"] for row in _book(response)}


def test_the_register_holds_what_each_reader_may_read(
    client, cases, worker, worker2, supervisor, other_worker
):
    assert _references(_get(client, worker2, REGISTER)) == {cases["own"].reference, cases["child"].reference}
    station = {cases[k].reference for k in ("own", "child", "head")}
    assert _references(_get(client, worker, REGISTER)) == station
    assert _references(_get(client, supervisor, REGISTER)) == station | {cases["other"].reference}
    assert _references(_get(client, other_worker, REGISTER)) == {cases["other"].reference}


def test_those_who_read_no_case_get_403(client, cases, district_user, city_user, admin_user):
    for user in (district_user, city_user, admin_user):  # district staff without the designation too
        assert _get(client, user, REGISTER).status_code == 403


def test_the_register_honours_the_filters(client, cases, worker, supervisor, guoyuan, jixianli):
    assert _references(_get(client, worker, REGISTER, {"stage": "assessment"})) == {cases["child"].reference}
    assert _references(_get(client, worker, REGISTER, {"risk": "high"})) == {cases["own"].reference}
    assert _references(_get(client, worker, REGISTER, {"state": "open"})) == {
        cases["own"].reference,
        cases["child"].reference,
    }
    by_worker = _references(_get(client, worker, REGISTER, {"worker": worker.pk}))
    assert by_worker == {cases["head"].reference}
    assert _references(_get(client, supervisor, REGISTER, {"station": jixianli.pk})) == {
        cases["other"].reference
    }


def test_a_filter_out_of_scope_or_invalid_stops_the_export(
    client, cases, worker, supervisor, nankai, other_worker
):
    far = f.make_station(f.make_street("120104099000", "远街道", nankai))
    for user, params in (
        (supervisor, {"station": far.pk}),  # a station of another district
        (worker, {"worker": other_worker.pk}),  # a worker of another station
        (worker, {"stage": "nonsense"}),
    ):
        response = _get(client, user, REGISTER, params)
        assert response.status_code == 302
        assert "筛选条件有误，未导出" in [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_the_register_masks_a_minor_for_those_without_the_permission(client, cases, worker, worker2):
    rows = {row["个案编号"]: row for row in _book(_get(client, worker2, REGISTER))}
    child = rows[cases["child"].reference]
    assert child["服务对象"] == "刘**" and child["主要问题"] in (None, "")
    assert rows[cases["own"].reference]["服务对象"] == "孙秀英"
    rows = {row["个案编号"]: row for row in _book(_get(client, worker, REGISTER))}  # the head holds it
    assert rows[cases["child"].reference]["服务对象"] == "刘小雨"
    assert rows[cases["child"].reference]["主要问题"] == "需司法救助"


def test_the_register_is_logged_as_an_export(client, cases, worker2):
    before = PersonalDataAccess.objects.count()
    _get(client, worker2, REGISTER)
    entry = PersonalDataAccess.objects.order_by("-pk").first()
    assert PersonalDataAccess.objects.count() == before + 1 and entry.action == "export"
    exported = set(entry.residents.values_list("resident_id", flat=True))
    assert exported == {cases["own"].client_id, cases["child"].client_id}


def test_the_register_counts_service_records(client, guoyuan, client_resident, worker, worker2, supervisor):
    case = make_full_case(guoyuan, client_resident, worker2, worker, supervisor=supervisor, repeat=3)
    row = _book(_get(client, worker2, REGISTER))[0]
    assert row["个案编号"] == case.reference and row["服务次数"] == 3 and row["服务人次"] == 6


def test_the_register_query_count_does_not_grow_with_cases(client, guoyuan, chaoyangli, worker, worker2):
    client.force_login(worker)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REGISTER).status_code == 200
        return len(queries)

    make_case(guoyuan, make_resident(chaoyangli, name="甲"), worker2)
    small = count()
    for n in range(12):
        make_case(
            guoyuan, make_resident(chaoyangli, name=f"乙{n}", birth_date=datetime.date(2012, 1, 1)), worker2
        )
    assert count() == small
