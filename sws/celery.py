"""The Celery app: background and scheduled work (the outbox's delivery, and the jobs of docs/jobs.md).

With CELERY_BROKER_URL set (Redis in production, RabbitMQ the documented alternative) tasks go to the
broker and `celery -A sws worker` runs them; `celery -A sws beat` sends the periodic ones from
settings.CELERY_BEAT_SCHEDULE. Without a broker (the embedded demo) tasks run in-process when called
(task_always_eager) and `python manage.py run_due_jobs` runs the same schedule.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sws.settings")

app = Celery("sws")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
