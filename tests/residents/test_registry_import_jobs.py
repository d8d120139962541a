"""The registry import as a background job: the upload kept privately, the job queued after the commit,
progress while it runs, the dry run's result, the import of a checked file, all or nothing with the
row errors, only the uploader sees the job, the upload cleared once it cannot be imported any more."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from residents.models import RegistryImport, RegistryImportJob, Resident
from residents.registry_import import jobs
from stations.audit import AuditLogEntry
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import id_number
from tests.residents.test_registry_import import _named, book, row

pytestmark = pytest.mark.django_db
Job = RegistryImportJob


@pytest.fixture(autouse=True)
def _defaults():
    ensure_care_defaults()


def start(user, data, commit=False, callbacks=None):
    with callbacks(execute=True):
        job = jobs.start_import(acting_user=user, file_name="台账.xlsx", data=data, commit=commit)
    job.refresh_from_db()
    return job


def good_file(rows=3):
    return book(*(row(f"居民{i}", id_number(seq=i + 1)) for i in range(rows)))


def test_a_dry_run_is_queued_after_the_commit_and_writes_nothing(
    worker, chaoyangli, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        job = jobs.start_import(acting_user=worker, file_name="台账.xlsx", data=good_file(), commit=False)
    assert len(queued) == 1  # the task goes to the broker only once the job's row is committed
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    queued[0]()
    job.refresh_from_db()
    assert (job.status, job.mode, job.total_rows, job.rows_checked) == ("done", "dry_run", 3, 3)
    assert job.result["ok"] and job.result["creates"] == 3 and job.result["errors"] == []
    assert len(bytes(job.data)) > 0  # kept: the uploader may import it as checked
    assert not Resident.objects.exists() and not RegistryImport.objects.exists()


def test_progress_is_written_while_the_rows_are_checked(
    worker, chaoyangli, monkeypatch, django_capture_on_commit_callbacks
):
    """plan_import reports every 1,000 rows; the job's row holds the count the page shows."""
    seen = []
    real = jobs.plan_import

    def watched(**kwargs):
        progress = kwargs["progress"]

        def spy(n):
            progress(n)
            seen.append(Job.objects.values_list("rows_checked", "total_rows").get())

        return real(**{**kwargs, "progress": spy})

    monkeypatch.setattr(jobs, "plan_import", watched)
    job = start(worker, good_file(2500), callbacks=django_capture_on_commit_callbacks)
    assert seen == [(1000, 2500), (2000, 2500)]
    assert job.rows_checked == 2500 and job.status == "done"


def test_the_checked_file_is_imported_once_with_one_audit_entry(
    worker, chaoyangli, django_capture_on_commit_callbacks
):
    job = start(worker, good_file(), callbacks=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.commit_checked(acting_user=worker, job=job)
    job.refresh_from_db()
    assert (job.status, job.mode) == ("done", "commit") and job.record.rows == 3
    assert Resident.objects.count() == 3 and bytes(job.data) == b""  # the upload is gone
    entries = AuditLogEntry.objects.get_for_object(job.record)
    assert entries.count() == 1 and "3行" in str(entries.get().changes)
    with pytest.raises(ValidationError, match="已导入或已过期"):
        jobs.commit_checked(acting_user=worker, job=job)
    assert Resident.objects.count() == 3


def test_one_bad_row_imports_nothing_and_the_job_names_row_and_column(
    worker, chaoyangli, django_capture_on_commit_callbacks
):
    data = book(row("张桂兰", id_number(seq=2)), row("王五", community="不存在社区"))
    job = start(worker, data, commit=True, callbacks=django_capture_on_commit_callbacks)
    assert job.status == "failed" and not job.result["ok"]
    assert job.result["errors"] == ["第3行「社区」：社区“不存在社区”不存在或不在您的服务范围内。"]
    assert not Resident.objects.exists() and not RegistryImport.objects.exists()
    assert bytes(job.data) == b""


def test_an_unreadable_file_fails_with_a_chinese_message(
    client, worker, chaoyangli, django_capture_on_commit_callbacks
):
    job = start(worker, b"not a workbook", callbacks=django_capture_on_commit_callbacks)
    assert job.status == "failed" and "无法读取文件" in job.result["message"]
    client.force_login(worker)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "无法读取文件" in page and "数据行" not in page  # the message alone, no empty counts


def test_a_crash_while_writing_leaves_nothing_half_saved(
    worker, chaoyangli, monkeypatch, django_capture_on_commit_callbacks
):
    from residents.registry_import import commit

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(commit, "_create_households", boom)
    job = start(worker, good_file(), commit=True, callbacks=django_capture_on_commit_callbacks)
    assert job.status == "failed" and job.result["message"] == jobs.FAILED
    assert not Resident.objects.exists() and not RegistryImport.objects.exists()


def test_a_repeated_delivery_runs_the_job_once(worker, chaoyangli, django_capture_on_commit_callbacks):
    job = start(worker, good_file(), commit=True, callbacks=django_capture_on_commit_callbacks)
    assert jobs.run_import(job.pk) == "skipped"
    assert RegistryImport.objects.count() == 1


def test_only_the_uploader_may_import_and_only_station_staff_start(
    worker, worker2, district_user, chaoyangli, django_capture_on_commit_callbacks
):
    job = start(worker, good_file(), callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        jobs.commit_checked(acting_user=worker2, job=job)
    with pytest.raises(PermissionDenied):
        jobs.start_import(acting_user=district_user, file_name="x.xlsx", data=good_file(), commit=True)
    assert not Resident.objects.exists()


def test_a_user_who_lost_the_role_before_the_job_ran_imports_nothing(
    worker, chaoyangli, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        job = jobs.start_import(acting_user=worker, file_name="台账.xlsx", data=good_file(), commit=True)
    worker.is_active = False
    worker.save()
    queued[0]()
    job.refresh_from_db()
    assert job.status == "failed" and "工作人员" in job.result["message"] and not Resident.objects.exists()


def test_an_unimported_dry_run_loses_its_file_after_a_day(
    worker, chaoyangli, django_capture_on_commit_callbacks
):
    job = start(worker, good_file(), callbacks=django_capture_on_commit_callbacks)
    assert jobs.purge_uploads() == 0
    assert jobs.purge_uploads(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    job.refresh_from_db()
    assert bytes(job.data) == b"" and job.result["expired"] and not job.may_commit
    with pytest.raises(ValidationError):
        jobs.commit_checked(acting_user=worker, job=job)


# --- the pages ---------------------------------------------------------------------------------------
def test_the_job_page_shows_progress_then_the_result(
    client, worker, chaoyangli, django_capture_on_commit_callbacks
):
    client.force_login(worker)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("residents:registry-import"), {"file": _named(good_file()), "action": "dry_run"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "排队等待后台处理" in page and 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    Job.objects.filter(pk=job.pk).update(status="checking", total_rows=50000, rows_checked=12000)
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "12000</strong> / 50000 行" in partial
    Job.objects.filter(pk=job.pk).update(status="queued", total_rows=None, rows_checked=0)
    queued[0]()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "试导入结果（未保存）" in page and "every 2s" not in page and "确认导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("residents:registry-import-job-commit", args=[job.pk]))
    assert response.status_code == 302
    page = client.get(job.get_absolute_url()).content.decode()
    assert "导入完成" in page and Resident.objects.count() == 3
    listing = client.get(reverse("residents:registry-import")).content.decode()
    assert "我最近的导入" in listing and job.get_absolute_url() in listing


def test_committing_twice_is_refused_with_a_message(
    client, worker, chaoyangli, django_capture_on_commit_callbacks
):
    job = start(worker, good_file(), commit=True, callbacks=django_capture_on_commit_callbacks)
    client.force_login(worker)
    response = client.post(reverse("residents:registry-import-job-commit", args=[job.pk]))
    assert response.status_code == 400 and "已导入或已过期" in response.content.decode()


def test_nobody_but_the_uploader_opens_the_job(
    client, worker, worker2, other_worker, chaoyangli, django_capture_on_commit_callbacks
):
    """Same station, another worker: 404, as for a job that does not exist (URL tampering)."""
    job = start(worker, good_file(), callbacks=django_capture_on_commit_callbacks)
    for user in (worker2, other_worker):
        client.force_login(user)
        assert client.get(job.get_absolute_url()).status_code == 404
        assert client.post(reverse("residents:registry-import-job-commit", args=[job.pk])).status_code == 404
    assert not Resident.objects.exists()
    client.force_login(worker)
    assert client.get(reverse("residents:registry-import-job", args=[job.pk + 1000])).status_code == 404


def test_the_job_page_has_a_bounded_query_count(
    client, worker, chaoyangli, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    jobs_made = [start(worker, good_file(), callbacks=django_capture_on_commit_callbacks) for _ in range(12)]
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        assert client.get(jobs_made[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("residents:registry-import")).status_code == 200
