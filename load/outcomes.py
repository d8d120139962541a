"""What a load run concludes from what it recorded (load/run.py): pure functions, tested in tests/load/
without the stack.

- the request log: percentiles and per-page figures;
- the faults: each has a window, from the moment it began to the moment the service answered again;
  an error counts as the fault's only inside its window plus GRACE seconds (requests caught by the outage
  and answered just after it); any other error fails the run;
- the app: a gunicorn worker booted during the run that is neither one of the first ones nor a planned
  replacement (max_requests, "Autorestarting worker") is a crash;
- the outbox: every message row sent, every key delivered to the provider, none delivered twice; the
  repeats (a key sent again after a fault, answered by the provider from its idempotency record) are
  counted.
"""

import math
import re

GRACE = 5.0  # seconds after a service answers again in which errors still count as the outage's

BOOT = "Booting worker with pid"
# gunicorn's own words when a worker reached max_requests: a planned replacement, not a crash.
PLANNED = "Autorestarting worker after current request"


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    rank = math.ceil(q / 100 * len(sorted_values))  # nearest rank
    return sorted_values[min(len(sorted_values), max(1, rank)) - 1]


def read_log(path):
    """The locustfile's request log: time, method, name (may hold commas), status, ok, ms, app port."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        at, method, rest = line.split(",", 2)
        name, status, ok, ms, port = rest.rsplit(",", 4)
        rows.append(
            {
                "at": float(at),
                "name": f"{method} {name}",
                "status": int(status),
                "ok": ok == "1",
                "ms": float(ms),
                "port": int(port),
            }
        )
    return rows


def figures(rows):
    times = sorted(r["ms"] for r in rows)
    return {
        "requests": len(rows),
        "errors": sum(1 for r in rows if not r["ok"]),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
    }


def summarise(rows, duration):
    total = figures(rows)
    total["requests_per_s"] = round(len(rows) / duration, 1)
    # Logins that succeeded: one refused by an outage (a 500) is tried again and is no second session.
    total["logins"] = sum(1 for r in rows if r["name"] == "POST login" and r["ok"])
    pages = {
        name: figures([r for r in rows if r["name"] == name]) for name in sorted({r["name"] for r in rows})
    }
    return {"total": total, "pages": pages}


def classify_errors(rows, windows, grace=GRACE):
    """Each error inside a fault's window [began, back + grace] counts as that fault's; the others are
    failures. Returns per fault its errors and requests, and the errors outside every window."""
    per_fault = {w["fault"]: {"errors": 0, "requests": 0} for w in windows}
    outside = []
    for r in rows:
        hit = [w for w in windows if w["began"] <= r["at"] <= w["back"] + grace]
        for w in hit:
            per_fault[w["fault"]]["requests"] += 1
            per_fault[w["fault"]]["errors"] += not r["ok"]
        if not r["ok"] and not hit:
            outside.append(r)
    return {"per_fault": per_fault, "outside": outside}


def logins_after(rows, moment):
    """Successful logins after `moment` (a user whose session was lost logs in again)."""
    return sum(1 for r in rows if r["name"] == "POST login" and r["ok"] and r["at"] > moment)


def sessions_kept(logins, logins_after_loss, users):
    """Successful logins against the users: without a session loss (logins_after_loss None) exactly one
    each; with one, none beyond one each before it, and at most one more each in all (a user whose
    session Redis lost logs in again; one whose first login met an outage may first log in after it)."""
    if logins_after_loss is None:
        return logins == users
    return logins - logins_after_loss <= users and users <= logins <= 2 * users


def worker_crashes(log_text, first_workers):
    """Workers booted in a gunicorn log beyond the first ones and the planned replacements."""
    boots = log_text.count(BOOT)
    planned = log_text.count(PLANNED)
    return max(0, boots - first_workers - planned)


def outbox_outcome(rows, requests):
    """rows: the outbox's (key, status) pairs; requests: the Idempotency-Key of every SMS request the
    provider received, in order. Lost: a row not sent, or a key never received. Twice: a key the provider
    would have delivered twice (received again after a success is what its idempotency record answers;
    here every request is answered with success, so any key received twice is a repeat)."""
    statuses = {}
    for _key, status in rows:
        statuses[status] = statuses.get(status, 0) + 1
    counts = {}
    for key in requests:
        counts[key] = counts.get(key, 0) + 1
    keys = {key for key, _ in rows}
    return {
        "messages": len(rows),
        "by_status": statuses,
        "not_sent": sorted(key for key, status in rows if status != "sent"),
        "never_received": sorted(keys - set(counts)),
        "unknown_received": sorted(set(counts) - keys),
        "requests": len(requests),
        "repeated_keys": sorted(key for key, n in counts.items() if n > 1),
        "repeats": sum(n - 1 for n in counts.values()),
    }


REFERENCE_KEY = re.compile(r":request:(\d+)$")


def acknowledged_without_message(acknowledged_pks, keys, template="resident_registered"):
    """Acknowledged intakes (which all asked for texts) whose registration text is not in the outbox."""
    texted = set()
    for key in keys:
        match = REFERENCE_KEY.search(key)
        if key.startswith(template + ":") and match:
            texted.add(int(match.group(1)))
    return sorted(set(acknowledged_pks) - texted)


def cpu_used(before, after):
    """CPU seconds each group used between two readings; app processes summed as "app", Celery's worker
    and beat as "celery". A group that ended in between (a killed worker) counts nothing after the first
    reading; one started again (a restarted PostgreSQL) counts the new one's time."""
    used = {}
    for name in sorted(set(before) | set(after)):
        first, last = before.get(name, 0.0), after.get(name, before.get(name, 0.0))
        seconds = last - first if last >= first else last  # restarted in between: the new one's since
        if name.startswith("app-"):
            key = "app"
        elif name.startswith(("worker-", "beat")):
            key = "celery"
        else:
            key = name
        used[key] = round(used.get(key, 0.0) + seconds, 1)
    return used


def markdown(result):
    t = result["total"]
    lines = [
        f"Run {result['when']} ({result['mode']}): {result['users']} users, {result['duration_s']} s, "
        f"{result['requests_seeded']:,} requests seeded.",
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in result["pages"].items():
        lines.append(
            f"| {name} | {f['requests']} | {f['errors']} "
            f"| {f['p50_ms']:.0f} | {f['p95_ms']:.0f} | {f['p99_ms']:.0f} |"
        )
    lines.append(
        f"| **all** | **{t['requests']}** ({t['requests_per_s']}/s) | **{t['errors']}** "
        f"| **{t['p50_ms']:.0f}** | **{t['p95_ms']:.0f}** | **{t['p99_ms']:.0f}** |"
    )
    return "\n".join(lines)
