"""The load run's arithmetic (load/outcomes.py, load/run.py): what its report and its checks conclude from
what it recorded. The runs themselves are not part of the test suite (docs/load.md)."""

import pytest

from load import outcomes, run


def row(at, ok=True, name="GET queue", ms=10.0, port=8443):
    return {"at": at, "name": name, "status": 200 if ok else 500, "ok": ok, "ms": ms, "port": port}


def test_the_log_is_read_whatever_the_page_names_contain(tmp_path):
    log = tmp_path / "requests.csv"
    log.write_text("100.500,GET,queue (district, overdue),500,0,12.5,8443\n", encoding="utf-8")
    assert outcomes.read_log(log) == [
        {
            "at": 100.5,
            "name": "GET queue (district, overdue)",
            "status": 500,
            "ok": False,
            "ms": 12.5,
            "port": 8443,
        }
    ]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert [outcomes.percentile(values, q) for q in (50, 95, 99)] == [50, 95, 99]
    assert outcomes.percentile([7], 99) == 7
    assert outcomes.percentile([], 50) is None


def test_summary_counts_errors_and_successful_logins_per_page():
    rows = [row(0.5, ok=False, name="POST login"), row(1, name="POST login"), row(2), row(3, ok=False)]
    summary = outcomes.summarise(rows, duration=2)
    assert summary["total"]["requests"] == 4 and summary["total"]["errors"] == 2
    assert (
        summary["total"]["requests_per_s"] == 2.0 and summary["total"]["logins"] == 1
    )  # the refused one not
    assert summary["pages"]["GET queue"]["errors"] == 1 and summary["pages"]["POST login"]["requests"] == 2


def test_errors_count_as_a_faults_only_inside_its_window_and_grace():
    windows = [
        {"fault": "primary", "began": 20.0, "back": 24.0},
        {"fault": "redis", "began": 60.0, "back": 61.0},
    ]
    rows = [
        row(19.9, ok=False),  # before the restart: not the fault's
        row(20.5, ok=False),
        row(24.0 + outcomes.GRACE - 0.1, ok=False),  # caught by the outage, answered just after
        row(24.0 + outcomes.GRACE + 1),
        row(40.0, ok=False),  # long after: the app did not recover by itself
        row(60.2, ok=False),
        row(60.5),
    ]
    result = outcomes.classify_errors(rows, windows)
    assert result["per_fault"] == {
        "primary": {"errors": 2, "requests": 2},
        "redis": {"errors": 1, "requests": 2},
    }
    assert [r["at"] for r in result["outside"]] == [19.9, 40.0]


def test_no_fault_means_every_error_is_outside():
    result = outcomes.classify_errors([row(1, ok=False), row(2)], [])
    assert len(result["outside"]) == 1 and result["per_fault"] == {}


def test_logins_after_a_session_loss_are_counted_from_its_moment():
    rows = [row(1, name="POST login"), row(2, name="POST login"), row(50, name="POST login"), row(51)]
    assert outcomes.logins_after(rows, 40) == 1
    assert outcomes.logins_after([*rows, row(52, ok=False, name="POST login")], 40) == 1


def test_a_planned_worker_replacement_is_not_a_crash():
    boot = "[INFO] Booting worker with pid: {}\n"
    first = "".join(boot.format(pid) for pid in (11, 12, 13))
    planned = "[INFO] Autorestarting worker after current request.\n" + boot.format(14)
    crashed = "[ERROR] Worker (pid:12) was sent SIGKILL! Perhaps out of memory?\n" + boot.format(15)
    assert outcomes.worker_crashes(first, 3) == 0
    assert outcomes.worker_crashes(first + planned, 3) == 0
    assert outcomes.worker_crashes(first + planned + crashed, 3) == 1


def test_the_outbox_outcome_finds_lost_unsent_and_repeated_messages():
    rows = [("a", "sent"), ("b", "sent"), ("c", "pending"), ("d", "sent")]
    received = ["a", "b", "a", "c", "x"]  # "a" again after a fault; "d" never arrived; "x" unknown
    outcome = outcomes.outbox_outcome(rows, received)
    assert outcome["by_status"] == {"sent": 3, "pending": 1}
    assert outcome["not_sent"] == ["c"]
    assert outcome["never_received"] == ["d"]
    assert outcome["unknown_received"] == ["x"]
    assert outcome["repeated_keys"] == ["a"] and outcome["repeats"] == 1


def test_a_clean_outbox_has_nothing_to_report():
    outcome = outcomes.outbox_outcome([("a", "sent"), ("b", "sent")], ["b", "a"])
    assert not (outcome["not_sent"] or outcome["never_received"] or outcome["repeats"])


def test_every_acknowledged_intake_needs_its_registration_text():
    keys = ["resident_registered:request:7", "request_assigned:request:8:3", "resident_registered:request:9"]
    assert outcomes.acknowledged_without_message([7, 8, 9], keys) == [8]
    assert outcomes.acknowledged_without_message([7, 9], keys) == []


def test_faults_are_spaced_evenly_over_the_run():
    assert run.fault_times(["primary", "replica", "redis", "worker"], 250) == [50.0, 100.0, 150.0, 200.0]
    assert run.fault_times([], 300) == []


def test_an_unknown_fault_is_refused():
    with pytest.raises(SystemExit):
        run.parse_args(["--faults", "primary,disk"])
    assert run.parse_args(["--faults", "primary,worker"]).faults == ["primary", "worker"]


def test_cpu_is_counted_per_group_with_its_reaped_children():
    from load.stack import cpu_by_group

    stats = {  # pid: (ppid, pgrp, own s, reaped children's s)
        10: (1, 10, 1.0, 5.0),  # gunicorn master, a replaced worker reaped
        11: (10, 10, 3.0, 0.0),  # its live worker
        20: (1, 20, 2.0, 4.0),  # a postmaster
        21: (20, 21, 0.5, 0.0),  # a backend (its own group: counted by parent)
        30: (1, 30, 9.0, 0.0),  # someone else's process
    }
    groups = {"app-a": ("pgrp", 10), "postgres-primary": ("ppid", 20), "gone": ("pgrp", 99)}
    assert cpu_by_group(stats, groups) == {"app-a": 9.0, "postgres-primary": 6.5}


def test_cpu_used_sums_the_app_processes_and_survives_a_restart():
    before = {"app-a": 10.0, "app-b": 12.0, "worker-1": 3.0, "beat": 1.0, "postgres-primary": 50.0}
    after = {"app-a": 30.0, "app-b": 25.0, "worker-2": 2.0, "beat": 1.5, "postgres-primary": 8.0}
    assert outcomes.cpu_used(before, after) == {
        "app": 33.0,
        "celery": 2.5,  # the killed worker-1 counts nothing after the first reading; worker-2 all of its own
        "postgres-primary": 8.0,  # restarted: the new server's time
    }


def test_sessions_are_kept_unless_redis_lost_them():
    assert outcomes.sessions_kept(200, None, 200)
    assert not outcomes.sessions_kept(201, None, 200)  # a session lost with no fault that loses them
    assert not outcomes.sessions_kept(199, None, 200)  # a user never logged in
    assert outcomes.sessions_kept(208, 9, 200)  # 199 before the loss, 9 after (one of them a first login)
    assert not outcomes.sessions_kept(215, 9, 200)  # 206 before the loss: sessions lost before it
    assert not outcomes.sessions_kept(401, 201, 200)
