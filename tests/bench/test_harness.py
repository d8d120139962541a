"""The benchmark's machinery (no timings here: speed is measured by `bench.run`, never by tests)."""

import datetime
import gc
import json
import socket

import pytest
from django.utils import timezone
from freezegun import freeze_time

from bench import compare, formfill, report
from bench.measure import _freeze_warm_heap, percentile, summarize
from bench.pages import PAGES, STATION, Page, Subjects, no_args
from bench.served import add_ratios, http_get, rounds, servable, time_rounds
from residents.models import Category, Request

INTAKE_HTML = """
<form method="post" action="/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="x"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="submission_token" value="abc123">
  <label for="c">社区</label><select name="community" id="c" required>
    <option value="">---------</option><option value="7">朝阳里</option><option value="8">旭日里</option>
  </select>
  <select name="severity"><option value="severe">重</option><option value="mild" selected>轻</option></select>
  <input type="radio" name="channel" value="walk_in"><input type="radio" name="channel" value="phone" checked>
  <input type="text" name="reporter_name" required>
  <input type="tel" name="reporter_phone">
  <input type="text" name="id_number">
  <input type="checkbox" name="tags" value="1" checked><input type="checkbox" name="tags" value="2">
  <input type="text" name="website">
  <textarea name="description" required></textarea>
  <button type="submit">登记</button>
</form>
"""


def test_formfill_fills_the_main_form_like_a_worker():
    data = formfill.fill(INTAKE_HTML, "/residents/intake/")
    assert data["csrfmiddlewaretoken"] == "tok"  # the intake form, not the logout form
    assert data["submission_token"] == "abc123"
    assert data["community"] == "7"  # the first real choice, never the empty one
    assert data["severity"] == "mild"  # what the page pre-selected
    assert data["channel"] == "phone"
    assert data["reporter_name"] == "张桂兰"
    assert data["reporter_phone"] == "13820001234"
    assert data["id_number"] == ""  # a made-up ID number would fail its check digit
    assert data["tags"] == ["1"]
    assert data["website"] == ""  # an optional field nobody types into (a honeypot stays empty)
    assert data["description"]


def test_formfill_overrides_win_and_a_page_without_form_gives_nothing():
    assert formfill.fill(INTAKE_HTML, "", {"community": "8"})["community"] == "8"
    assert formfill.fill("<p>没有表单</p>") == {}


def test_percentile_and_summary():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    assert summarize([1.0, 2.0, 3.0, 10.0])["median_ms"] == 2.5


def test_a_page_whose_url_does_not_exist_is_not_built(guoyuan, worker):
    subjects = Subjects(users={STATION: worker}, station=guoyuan, district=guoyuan.district)
    assert Page("x", "x", STATION, ("residents:no-such-page",)).resolve(subjects) is None


@pytest.mark.urls("bench.urls")
def test_pages_resolve_with_candidate_names_and_arguments(guoyuan, worker):
    subjects = Subjects(users={STATION: worker}, station=guoyuan, district=guoyuan.district)
    page = Page("x", "x", STATION, ("residents:no-such-page", "bench-baseline"), no_args, query="a=1")
    assert page.resolve(subjects) == "/bench/baseline/?a=1"
    assert [p.key for p in PAGES if p.baseline] == ["baseline"]
    assert len({p.key for p in PAGES}) == len(PAGES)


def test_an_intake_post_is_timed_then_undone(client, worker, guoyuan, chaoyangli):
    """Every run of the intake POST would otherwise add an open request to the measured worker's queue."""
    from bench.measure import PageRun
    from tests.residents.factories import make_resident

    resident = make_resident(chaoyangli)
    subjects = Subjects(
        users={STATION: worker}, station=guoyuan, district=guoyuan.district, resident_pk=resident.pk
    )
    page = next(p for p in PAGES if p.key == "intake-post")
    client.force_login(worker)
    run = PageRun(page, client, page.resolve(subjects), subjects)
    assert run.once(timed=True) is None and run.status == 302 and len(run.durations) == 1
    assert run.once(timed=True, count_queries=True) is None and run.queries > 3
    assert not Request.objects.exists()


def test_the_submitted_station_report_is_measured_from_its_snapshot(client, worker, guoyuan):
    """The monthly report pages are listed; the station's page is set up (untimed, once per database) by
    its head submitting last month's report, so the page measured is the snapshot's."""
    from bench.measure import PageRun
    from sws.models import MonthlyReport

    keys = {p.key for p in PAGES}
    assert {"station-report-submitted", "district-report", "district-submissions", "city-report"} <= keys
    page = next(p for p in PAGES if p.key == "station-report-submitted")
    subjects = Subjects(users={STATION: worker}, station=guoyuan, district=guoyuan.district)
    with freeze_time("2026-04-10 04:00:00"):
        page.setup(subjects)
        page.setup(subjects)  # a second run finds it done
        report = MonthlyReport.objects.get(station=guoyuan)
        assert (report.month, report.status, report.snapshot is not None) == (
            datetime.date(2026, 3, 1),
            MonthlyReport.Status.SUBMITTED,
            True,
        )
        client.force_login(worker)
        run = PageRun(page, client, page.resolve(subjects), subjects)
        assert run.once(timed=True) is None and run.status == 200


def _requests(station, community, n, **fields):
    category = Category.objects.get_or_create(name="生活照料", parent=None)[0]
    now = timezone.now()
    rows = [
        Request(
            reference=f"{station.code}-B-{fields.get('status', 'new')}-{i}",
            station=station,
            community=community,
            channel=Request.Channel.PHONE,
            category=category,
            description="楼道灯坏了",
            severity="mild",
            urgency="urgent",
            priority=4 - i % 4,
            due_at=now + datetime.timedelta(hours=i),
            **fields,
        )
        for i in range(n)
    ]
    return Request.objects.bulk_create(rows)


@pytest.mark.urls("bench.urls")
def test_baseline_shows_the_stations_25_most_pressing_open_requests(
    client, worker, guoyuan, chaoyangli, jixianli, tailaixili
):
    _requests(guoyuan, chaoyangli, 30)
    _requests(guoyuan, chaoyangli, 5, status=Request.Status.CLOSED)
    _requests(jixianli, tailaixili, 5)
    client.force_login(worker)
    response = client.get("/bench/baseline/")
    assert response.status_code == 200
    shown = response.context["requests"]
    expected = list(
        Request.objects.filter(station=guoyuan, status__in=Request.OPEN_STATUSES).order_by(
            "priority", "due_at"
        )[:25]
    )
    assert [r.pk for r in shown] == [r.pk for r in expected]
    assert b"-B-closed-" not in response.content
    assert jixianli.code.encode() not in response.content
    assert client.get("/bench/baseline-bare/").status_code == 200


@pytest.mark.urls("bench.urls")
def test_baseline_is_for_station_staff_only(client, district_user):
    client.force_login(district_user)
    assert client.get("/bench/baseline/").status_code == 403


@pytest.mark.urls("bench.urls")
def test_baseline_is_one_query_whatever_the_data(
    client, worker, guoyuan, chaoyangli, django_assert_num_queries
):
    client.force_login(worker)
    _requests(guoyuan, chaoyangli, 3)
    with django_assert_num_queries(3):  # session, user, the queue's 25 rows
        client.get("/bench/baseline/")
    _requests(guoyuan, chaoyangli, 100, status=Request.Status.TRIAGED)
    with django_assert_num_queries(3):
        client.get("/bench/baseline/")


def _result(requests, pages):
    return {
        "requests": requests,
        "args": {"duration": 10},
        "measure": {"pages": pages, "counts": {}, "subjects": {}, "runs": 40, "warmup": 5},
    }


def _page(key, median, p95, queries, **extra):
    return {
        "key": key,
        "label": key,
        "user": "u",
        "state": "ok",
        "median_ms": median,
        "p95_ms": p95,
        "queries": queries,
        **extra,
    }


def test_growth_and_targets_report_what_was_measured():
    small = _result(
        100_000,
        [
            _page("baseline", 4, 5, 3, baseline=True),
            _page("queue", 6, 7, 9),
            _page("district-dashboard", 50, 60, 12),
            {"key": "city-dashboard", "label": "c", "user": "c", "state": "not built"},
        ],
    )
    large = _result(
        1_000_000,
        [
            _page("baseline", 4, 5, 3, baseline=True),
            _page("queue", 8, 9, 9),
            _page("district-dashboard", 100, 160, 14),
            {"key": "city-dashboard", "label": "c", "user": "c", "state": "not built"},
            _page("city-dashboard-cold", 90, 120, 20),
        ],
    )
    rows = {g["key"]: g for g in report.growth(small, large)}
    assert rows["queue"]["growth_p95"] == pytest.approx(9 / 7, abs=0.01)
    assert rows["district-dashboard"]["same_queries"] is False
    met = {name: ok for name, _, ok in report.targets(large, small)}
    assert met["queue p95 ≤ 1.3 × baseline p95 (in-process)"] is False  # 9 / 5 = 1.8
    assert met["district dashboard p95 ≤ 60 ms (in-process)"] is False
    assert met["municipal dashboard p95 ≤ 100 ms, cold caches (in-process)"] is False  # 120 ms
    assert met["query count the same at both sizes, every page"] is False
    assert met["every page measured"] is False  # city-dashboard was not built
    markdown = report.markdown([small, large])
    assert "| 12 → 14 |" in markdown
    assert "not built" in markdown


def test_the_warm_heap_is_frozen_and_the_collection_it_spared_is_reported():
    try:
        elapsed_ms, frozen = _freeze_warm_heap()
        assert frozen == gc.get_freeze_count() > 0
        assert elapsed_ms > 0
    finally:
        gc.unfreeze()
    result = _result(1_000_000, [_page("baseline", 4, 5, 3, baseline=True)])
    result["measure"]["gc"] = {"full_collection_ms": 71.4, "frozen_objects": 133_889}
    assert "a full garbage collection (71 ms over 133,889 objects)" in report.markdown([result])


def test_update_doc_replaces_only_the_marked_blocks(tmp_path, monkeypatch):
    doc = tmp_path / "performance.md"
    doc.write_text(
        "intro\n<!-- bench:100000:start -->\nthe previous table\n<!-- bench:100000:end -->\nkept\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(report, "RESULTS", tmp_path)
    result = _result(100_000, [_page("baseline", 4, 5, 3, baseline=True, ratio_p95=1.0)])
    (tmp_path / "latest-100000.json").write_text(json.dumps(result), encoding="utf-8")
    assert report.update_doc(result, doc=doc) == ["100000"]
    text = doc.read_text(encoding="utf-8")
    assert "the previous table" not in text
    assert text.startswith("intro\n") and text.endswith("kept\n")
    assert "| baseline (`baseline`) | u | 4.0 | 5.0 | 1.00 | 3 | – |" in text


def test_served_figures_are_reported_in_their_own_table_and_checked_against_the_targets():
    large = _result(
        1_000_000,
        [_page("baseline", 4, 5, 3, baseline=True), _page("queue", 5, 6, 3), _page("intake-post", 9, 9, 20)],
    )
    served_pages = [
        _page("baseline", 10, 12, 3, baseline=True),
        _page("queue", 14, 30, 3),
        {"key": "case", "label": "case", "user": "u", "state": "error", "error": "GET answered 500"},
    ]
    add_ratios(served_pages)
    large["served"] = {
        "pages": served_pages,
        "skipped": ["intake-post"],
        "setup": {"config": "deploy/gunicorn.conf.py", "workers": 5, "runs": 40, "warmup": 5},
    }
    assert served_pages[1]["ratio_p95"] == 2.5  # 30 / 12, the baseline served the same way
    met = {name: ok for name, _, ok in report.targets(large)}
    # Served: 30 / 12 = 2.5 (in-process it would be 6 / 5 = 1.2 and met).
    assert met["queue p95 ≤ 1.3 × baseline p95 (served)"] is False
    section = report.size_section(large)
    assert "**In-process**" in section and "**Served** by gunicorn" in section
    assert "| queue (`queue`) | u | 14.0 | 30.0 | 2.50 | 3 |" in section
    assert "**error**: GET answered 500" in section
    assert "In-process only (a POST, or cold caches): `intake-post`." in section

    del large["served"]  # --in-process
    assert "(in-process)" in report.targets_table(large)
    assert "Served mode not measured" in report.size_section(large)


def test_served_mode_serves_the_measured_get_pages_only():
    measured = [
        {"key": "queue", "state": "ok", "method": "GET", "url": "/q/", "cold": []},
        {"key": "queue-cold", "state": "ok", "method": "GET", "url": "/q/", "cold": ["reference"]},
        {"key": "intake-post", "state": "ok", "method": "POST", "url": "/i/", "cold": []},
        {"key": "broken", "state": "error", "method": "GET", "url": "/b/", "cold": []},
    ]
    pages, skipped = servable(measured)
    assert [p["key"] for p in pages] == ["queue"]
    assert skipped == ["queue-cold", "intake-post"]


def test_rounds_alternate_every_page_and_time_only_after_the_warm_up():
    order = list(rounds(["a", "b"], warmup=1, runs=2))
    assert order == [("a", False), ("b", False), ("a", True), ("b", True), ("a", True), ("b", True)]

    ticks = iter(range(100))
    fetched = []

    def fetch(target):
        fetched.append(target)
        return "GET answered 404" if target == "/broken/" and len(fetched) > 2 else None

    durations, errors = time_rounds(
        {"ok": "/ok/", "bad": "/broken/"},
        fetch,
        warmup=1,
        runs=3,
        clock=lambda: next(ticks) / 8,  # exact in binary
    )
    assert durations["ok"] == [125.0, 125.0, 125.0]  # each request: one tick of the fake clock, in ms
    assert errors == {"bad": "GET answered 404"}
    assert fetched == ["/ok/", "/broken/", "/ok/", "/broken/", "/ok/", "/ok/"]  # dropped once it failed


def test_a_page_that_never_answers_is_an_error_not_the_runs_end():
    # A listening socket nobody reads from: the connection is accepted by the kernel, no answer comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        assert http_get(silent.getsockname()[1], "/slow/", "", timeout=0.2) == "no answer within 0.2 s"


def test_the_helpdesk_comparison_alternates_servers_and_divides_their_time_by_ours():
    pairs = [("queue", "json-all", "rows, all queues"), ("station-dashboard", "dashboard", "dashboard")]
    targets = compare.pair_targets(
        {"queue": "/q/", "station-dashboard": "/d/"},
        {"queue": "c1", "station-dashboard": "c1"},
        {"json-all": "/json/", "dashboard": "/dash/"},
        "hd",
        pairs,
    )
    assert [t[0] for t in targets.values()] == ["sws", "helpdesk", "sws", "helpdesk"]  # request by request
    durations = {
        "queue|json-all|sws": [10.0] * 20,
        "queue|json-all|helpdesk": [40.0] * 19 + [100.0],
        "station-dashboard|dashboard|sws": [20.0] * 20,
    }
    rows = compare.pair_results(
        durations, {"station-dashboard|dashboard|helpdesk": "GET answered 500"}, pairs
    )
    assert rows[0]["ratio_p50"] == 4.0 and rows[0]["ratio_p95"] == 4.3  # helpdesk p95: 40 + 0.05 × 60
    assert "ratio_p95" not in rows[1] and rows[1]["helpdesk_error"] == "GET answered 500"
    result = {
        "requests": 2000,
        "pairs": rows,
        "runs": 20,
        "warmup": 3,
        "when": "now",
        "commit": "abc",
        "workers": 5,
        "sws": {
            "city_open_requests": 1800,
            "station": "果园新村",
            "station_open_requests": 9,
            "queries": {"queue": 3},
        },
        "helpdesk": {"tickets": 2000, "open": 1800, "queue_open": 8},
    }
    section = report.helpdesk_section(result)
    assert "| `queue` | 10.0 | 10.0 | rows, all queues | 40.0 | 43.0 | 4.0× | 4.3× |" in section
    assert "| `station-dashboard` | 20.0 | 20.0 | dashboard | **error** | **error** | – | – |" in section


def test_helpdesk_rows_are_fetched_with_its_own_datatables_query():
    import base64

    paths = compare.helpdesk_paths(7)
    query = json.loads(base64.b64decode(paths["json-queue"].split("/")[2].split("?")[0]))
    assert query["filtering"] == {"status__in": [1, 2], "queue__id__in": [7]}
    assert paths["json-all"].endswith("?draw=1&start=0&length=25")
    assert (
        "queue__id__in"
        not in json.loads(base64.b64decode(paths["json-all"].split("/")[2].split("?")[0]))["filtering"]
    )


def test_a_bigger_city_is_an_older_one_at_the_same_daily_volume():
    from bench.run import CITY_REQUESTS_PER_DAY, history_days

    assert history_days(1_000_000, CITY_REQUESTS_PER_DAY) in range(1825, 1828)  # five years
    assert history_days(100_000, CITY_REQUESTS_PER_DAY) in range(182, 184)  # six months
    assert history_days(300, CITY_REQUESTS_PER_DAY) == 30  # a smoke city still has a last month
    assert history_days(100_000, 1000) == 100


def test_the_busy_scenario_seeds_ten_years_falling_behind_into_its_own_database(monkeypatch):
    from bench import run

    seen = []
    monkeypatch.setattr(run, "run_size", lambda args, n, several: seen.append(args) or {})
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run.main(["--requests", "10000000", "--scenario", "busy", "--seed-only"]) == 0
    (args,) = seen
    assert (args.per_day, args.backlog) == (2740, 10)
    assert run.history_days(10_000_000, args.per_day) in range(3649, 3652)  # ten years
    assert run.database_url(args, 10_000_000, False)[1] == "sws_bench_10000000_busy"
    seen.clear()
    run.main(["--requests", "1000000", "--seed-only"])  # the default city is unchanged
    assert (seen[0].per_day, seen[0].backlog, seen[0].db_suffix) == (548, 1, "")


def test_the_evaluation_page_opens_the_districts_first_evaluation(
    client, guoyuan, district_user, other_district_user
):
    """Issue #22's evaluation page is measured on the district's own evaluation; none yet: not built."""
    from bench.pages import DISTRICT
    from sws.evaluation import services
    from tests.sws import evaluation_factories as ef

    page = next(p for p in PAGES if p.key == "evaluation")
    subjects = Subjects(users={DISTRICT: district_user}, station=guoyuan, district=guoyuan.district)
    assert page.resolve(subjects) is None
    evaluation = services.open_evaluation(
        acting_user=district_user,
        station=guoyuan,
        indicator_set=ef.make_indicator_set(2026),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    url = page.resolve(subjects)
    assert url == f"/evaluations/{evaluation.pk}/"
    client.force_login(district_user)
    assert client.get(url).status_code == 200
    assert {"five-forces-station", "five-forces-district", "five-forces-city", "evaluation-list"} <= {
        p.key for p in PAGES
    }
