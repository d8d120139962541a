"""When each periodic job last ran under `manage.py run_due_jobs` (celery beat keeps its own file)."""

from django.db import models


class JobRun(models.Model):
    """One row per job of settings.CELERY_BEAT_SCHEDULE: a job runs once per due slot, however often
    run_due_jobs is started (two at once included: the slot is taken with a conditional update)."""

    name = models.CharField("任务", max_length=100, unique=True)
    last_run_at = models.DateTimeField("上次运行", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务运行记录"
        verbose_name_plural = "定时任务运行记录"

    def __str__(self):
        return self.name
