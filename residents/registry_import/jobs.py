"""A dry run or an import in the background, with its progress (issue #20: "progress for large files").

`start_import` keeps the upload (in the database, never under a URL) and queues the job on the job
engine (`residents.tasks.run_registry_import`, after the transaction commits, so a worker finds the
row); `run_import` is the task's body: it reads the file, checks it row by row writing
`rows_checked` as it goes (each UPDATE commits at once, so the progress page sees it), and then either
stops (a dry run: the counts and the row errors are kept for the page) or writes everything in one
transaction (`commit_import`: all or nothing, one audit entry with the row count). `commit_checked`
imports a dry run that passed without a second upload: the file is read and checked again, since the
registry may have changed meanwhile.

The file holds ID numbers: it is kept only while it may still be imported, and cleared when the job is
committed, refused, failed, or left for `KEEP_UPLOAD` (`purge_uploads`, scheduled hourly).
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from residents.models import RegistryImportJob
from residents.registry_import.check import plan_import
from residents.registry_import.commit import commit_import
from residents.registry_import.read import read_rows
from stations import access

log = logging.getLogger(__name__)
Job = RegistryImportJob
ERRORS_KEPT = 200  # the page shows these; the count says how many more there are
KEEP_UPLOAD = datetime.timedelta(hours=24)
FAILED = "导入时出错，未保存任何数据；请重试，如仍出错请联系管理员。"


def _check_user(user):
    if not (user.is_active and access.is_station_user(user)):
        raise PermissionDenied("只有社工站工作人员可以导入本站台账。")


def start_import(*, acting_user, file_name, data: bytes, commit: bool) -> Job:
    """Keep the upload and queue its dry run (or, with `commit`, its import)."""
    _check_user(acting_user)
    with transaction.atomic():
        job = Job.objects.create(
            station_id=acting_user.station_id,
            uploaded_by=acting_user,
            file_name=file_name[:200],
            data=data,
            mode=Job.Mode.COMMIT if commit else Job.Mode.DRY_RUN,
        )
        _queue(job)
    return job


def commit_checked(*, acting_user, job: Job) -> Job:
    """Import the file of a dry run that passed (its uploader only). Refused with a Chinese message when
    the job is not a passed dry run any more (already imported, or its file cleared)."""
    _check_user(acting_user)
    if job.uploaded_by_id != acting_user.pk:
        raise PermissionDenied("只有上传人可以导入该文件。")
    with transaction.atomic():
        queued = (
            Job.objects.filter(pk=job.pk, mode=Job.Mode.DRY_RUN, status=Job.Status.DONE, result__ok=True)
            .exclude(result__has_key="expired")
            .update(mode=Job.Mode.COMMIT, status=Job.Status.QUEUED, rows_checked=0, finished_at=None)
        )
        if not queued:
            raise ValidationError("该文件已导入或已过期，请重新上传。")
        job.refresh_from_db(fields=["mode", "status", "rows_checked", "finished_at"])
        _queue(job)
    return job


def _queue(job):
    from residents.tasks import run_registry_import  # the tasks module imports this package

    transaction.on_commit(lambda: run_registry_import.delay(job.pk))


def run_import(job_id: int) -> str:
    """The task: run the job once (a repeated delivery of the same task finds it taken and returns)."""
    taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.CHECKING)
    if not taken:
        return "skipped"
    job = Job.objects.select_related("uploaded_by").get(pk=job_id)
    try:
        _check_user(job.uploaded_by)
        _run(job)
    except (ValidationError, PermissionDenied) as error:  # the file, its rows, or the user: said in Chinese
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        _finish(job, Job.Status.FAILED, {**job.result, "ok": False, "message": messages[0]})
    except Exception:
        log.exception("registry import job %s failed", job_id)
        _finish(job, Job.Status.FAILED, {**job.result, "ok": False, "message": FAILED})
    return job.status


def _run(job):
    rows = list(read_rows(bytes(job.data)))
    Job.objects.filter(pk=job.pk).update(total_rows=len(rows))

    def progress(checked):
        Job.objects.filter(pk=job.pk).update(rows_checked=checked)

    plan = plan_import(
        acting_user=job.uploaded_by, rows=iter(rows), file_name=job.file_name, progress=progress
    )
    job.rows_checked = plan.total
    job.result = summary(plan)
    if job.mode == Job.Mode.DRY_RUN or not plan.ok:
        status = Job.Status.DONE if job.mode == Job.Mode.DRY_RUN else Job.Status.FAILED
        _finish(job, status, job.result, keep_upload=job.mode == Job.Mode.DRY_RUN and plan.ok)
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.WRITING, rows_checked=plan.total)
    job.record = commit_import(acting_user=job.uploaded_by, plan=plan)
    _finish(job, Job.Status.DONE, job.result)


def summary(plan) -> dict:
    return {
        "ok": plan.ok,
        "total": plan.total,
        "creates": len(plan.creates),
        "updates": len(plan.updates),
        "statuses": plan.statuses,
        "households": plan.households,
        "refused_rows": plan.refused_rows,
        "errors": [str(error) for error in plan.errors[:ERRORS_KEPT]],
        "error_count": len(plan.errors),
    }


def _finish(job, status, result, *, keep_upload=False):
    job.status, job.result, job.finished_at = status, result, timezone.now()
    changes = {"status": status, "result": result, "finished_at": job.finished_at, "record": job.record}
    if job.rows_checked:
        changes["rows_checked"] = job.rows_checked
    if not keep_upload:
        changes["data"] = b""
    Job.objects.filter(pk=job.pk).update(**changes)


def purge_uploads(now=None) -> int:
    """Clear the files of dry runs left unimported for `KEEP_UPLOAD`; their page says to upload again."""
    cutoff = (now or timezone.now()) - KEEP_UPLOAD
    stale = Job.objects.filter(finished_at__lt=cutoff).exclude(data=b"")
    count = 0
    for job in stale.only("pk", "result"):
        Job.objects.filter(pk=job.pk).update(data=b"", result={**job.result, "expired": True})
        count += 1
    return count
