"""When the periodic notification jobs run: read by the job engine (celery beat's schedule, and
`manage.py run_due_jobs` when there is no broker). Times are Asia/Shanghai (the project's TIME_ZONE,
which the Celery app must use as its timezone).

The reminders run every 10 minutes: a request due in two hours is announced between 1 h 50 min and
2 h before its deadline, an overdue one within 10 minutes of it. Each run notifies only what has not
been notified for that deadline, so overlapping or repeated runs are harmless.
"""

from celery.schedules import crontab

NOTIFICATION_SCHEDULE = {
    "remind-due-soon": {"task": "residents.tasks.remind_due_soon", "schedule": crontab(minute="*/10")},
    "remind-overdue": {"task": "residents.tasks.remind_overdue", "schedule": crontab(minute="*/10")},
    "remind-follow-up": {"task": "residents.tasks.remind_follow_up", "schedule": crontab(minute=30, hour=8)},
    # The visits due today (and those still not made), after the digest: once per resident and due date.
    "remind-visits-due": {
        "task": "residents.tasks.remind_visits_due",
        "schedule": crontab(minute=40, hour=8),
    },
    # Case tasks due today or overdue, once per task and due date (casework.reminders).
    "remind-case-tasks-due": {
        "task": "casework.tasks.remind_case_tasks_due",
        "schedule": crontab(minute=45, hour=8),
    },
    "daily-digest": {"task": "residents.tasks.send_daily_digest", "schedule": crontab(minute=0, hour=8)},
    "release-held-notifications": {
        "task": "notifications.tasks.release_held",
        "schedule": crontab(minute=0, hour=8),
    },
}
