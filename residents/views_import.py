"""Importing the station's 台账 from XLSX: the template download, the upload, and the job's page.

Station staff import into their own station's communities. An upload becomes a background job
(residents.registry_import.jobs): a dry run (试导入) that shows what would be created, updated and
refused and writes nothing, or an import that writes everything or, when any row is refused, nothing.
The job's page shows the rows checked while it runs (htmx polls its progress; without JavaScript the
page refreshes itself) and then the result; a dry run that passed is imported from there without a
second upload. Only the uploader opens a job (in her scope): anyone else gets a 404.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from residents import registry_import
from residents.models import RegistryImportJob
from residents.registry_import import jobs
from stations import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024  # bytes: about 100,000 rows of the template
RECENT_JOBS = 10
POLL_SECONDS = 2
# The job's page without its file (up to 20 MB, read only by the task).
JOB_FIELDS = ("data",)


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError("文件超过20MB，请分批导入。")
        return upload


def _jobs(user):
    return RegistryImportJob.objects.of(user).defer(*JOB_FIELDS)


@never_cache
@login_required
@access.role_required(access.is_station_user)
def registry_import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.start_import(
            acting_user=request.user,
            file_name=upload.name,
            data=upload.read(),
            commit=request.POST.get("action") == "commit",
        )
        return redirect(job)
    context = {"form": form, "recent": _jobs(request.user).select_related("record")[:RECENT_JOBS]}
    return render(
        request, "residents/registry_import.html", context, status=400 if request.method == "POST" else 200
    )


@never_cache
@require_safe
@login_required
@access.role_required(access.is_station_user)
def registry_import_job(request, pk):
    job = access.get_visible_or_404(_jobs(request.user).select_related("record"), request.user, pk=pk)
    return _job_page(request, job)


def _job_page(request, job, *, error="", status=200):
    context = {"job": job, "result": job.result, "error": error, "poll_seconds": POLL_SECONDS}
    if request.headers.get("HX-Request"):
        return render(request, "residents/_import_job.html", context, status=status)
    return render(request, "residents/registry_import_job.html", context, status=status)


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def registry_import_job_commit(request, pk):
    """Import a dry run that passed, as checked (the file is checked again as it is written)."""
    job = access.get_visible_or_404(_jobs(request.user), request.user, pk=pk)
    try:
        jobs.commit_checked(acting_user=request.user, job=job)
    except (ValidationError, PermissionDenied) as refused:
        message = refused.messages[0] if isinstance(refused, ValidationError) else str(refused)
        return _job_page(request, job, error=message, status=400)
    return redirect(job)


@require_safe
@login_required
@access.role_required(access.is_station_user)
def registry_import_template(request):
    response = HttpResponse(registry_import.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%B1%85%E6%B0%91%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
