"""Run the periodic jobs that are due, in this process: the scheduler of a deployment without a broker.

Why: the embedded demo (and a small site) runs no celery beat and no worker. Cron, a systemd timer or a
terminal runs this every minute (or once with --every 60, which loops); each job of
settings.CELERY_BEAT_SCHEDULE runs once per due slot however often the command runs, two at once
included (notifications.jobs).
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications import jobs
from notifications.models import JobRun


class Command(BaseCommand):
    help = "运行已到时间的定时任务（没有 celery beat 时使用；每个时间段只运行一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出到期的任务，不运行")
        parser.add_argument("--job", action="append", help="只运行这个任务（可重复）")
        parser.add_argument("--every", type=float, help="每隔这么多秒再检查一次，直到被中断")

    def handle(self, *args, dry_run=False, job=None, every=None, **options):
        while True:
            self.run_once(dry_run=dry_run, names=job)
            if not every:
                return
            time.sleep(every)

    def run_once(self, *, dry_run, names):
        scheduled = [j for j in jobs.scheduled_jobs() if not names or j.name in names]
        unknown = set(names or ()) - {j.name for j in scheduled}
        for name in sorted(unknown):
            self.stderr.write(f"{name}: no such job in CELERY_BEAT_SCHEDULE")
        for job in scheduled:
            now = timezone.now()
            last = JobRun.objects.filter(name=job.name).values_list("last_run_at", flat=True).first()
            if dry_run:
                state = "due" if job.is_due(last) else f"next at {jobs.next_run(job, last):%Y-%m-%d %H:%M:%S}"
                self.stdout.write(f"{job.name}: {state}")
                continue
            if not jobs.take_slot(job, now):
                self.stdout.write(f"{job.name}: not due")
                continue
            self.stdout.write(f"{job.name}: running {job.task} …")
            ok, result = jobs.run_job(job)
            if ok:
                self.stdout.write(
                    self.style.SUCCESS(f"{job.name}: done {result if result is not None else ''}")
                )
            else:
                self.stderr.write(f"{job.name}: failed ({result})")
