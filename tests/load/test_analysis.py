"""The load run's arithmetic (load/run.py): what its report and its fault check conclude from the log.
The runs themselves are not part of the test suite (docs/load.md)."""

from load import run


def row(at, ok=True, name="GET queue", ms=10.0, port=8001):
    return {"at": at, "name": name, "status": 200 if ok else 500, "ok": ok, "ms": ms, "port": port}


def test_the_log_is_read_whatever_the_page_names_contain(tmp_path):
    log = tmp_path / "requests.csv"
    log.write_text("100.500,GET,queue (district, overdue),500,0,12.5,8001\n", encoding="utf-8")
    assert run.read_log(log) == [
        {
            "at": 100.5,
            "name": "GET queue (district, overdue)",
            "status": 500,
            "ok": False,
            "ms": 12.5,
            "port": 8001,
        }
    ]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert [run.percentile(values, q) for q in (50, 95, 99)] == [50, 95, 99]
    assert run.percentile([7], 99) == 7
    assert run.percentile([], 50) is None


def test_summary_counts_errors_logins_and_both_app_processes():
    rows = [row(1, name="POST login", port=8001), row(2, port=8002), row(3, ok=False, port=8002)]
    total = run.summarise(rows, started=0, duration=2)["total"]
    assert total["requests"] == 3 and total["errors"] == 1 and total["requests_per_s"] == 1.5
    assert total["logins"] == 1
    assert total["by_app_port"] == {"8001": 1, "8002": 2}


def test_errors_count_as_the_outages_only_between_the_restart_and_a_grace_after_recovery():
    window = {"started": 0.0, "begin": 20.0, "command_done": 23.0, "ready": 24.0}
    rows = [
        row(19.9),
        row(20.5, ok=False),
        row(24.0 + run.GRACE - 0.1, ok=False),  # a request caught by the outage, answered just after
        row(24.0 + run.GRACE + 1),
        row(40.0, ok=False),  # long after: the app did not recover by itself
    ]
    outcome = run.check_fault(rows, window)
    assert outcome["errors_during_outage"] == 2
    assert outcome["errors_outside_outage"] == 1
    assert outcome["requests_after_recovery"] == 2 and outcome["successes_after_recovery"] == 1
    assert outcome["postgres_back_after_s"] == 4.0


def test_the_restart_records_when_the_server_went_down_and_came_back():
    answers = iter([True, False, False, True])  # pg_isready: up, down, down, up again

    window = {}
    run.restart_postgres(0, 0, window, command=["sleep", "0.35"], ready=lambda: next(answers, True))
    assert window["begin"] < window["down"] < window["ready"]
    assert window["command_done"] >= window["begin"]
