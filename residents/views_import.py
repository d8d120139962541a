"""Importing the station's 台账 from XLSX: the template download, a dry run (试导入) and the commit.

Station staff import into their own station's communities. The upload is checked whole; a dry run
shows what would be created, updated and refused and writes nothing; an import writes everything or,
when any row is refused, nothing (residents.registry_import). Large files (tens of thousands of rows)
are better run by an administrator with `manage.py import_registry`, which prints its progress.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from residents import registry_import
from stations import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024  # bytes: about 100,000 rows of the template
ERRORS_SHOWN = 200


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError("文件超过20MB，请分批导入或联系管理员用命令导入。")
        return upload


@never_cache
@login_required
@access.role_required(access.is_station_user)
def registry_import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        commit = request.POST.get("action") == "commit"
        try:
            plan = registry_import.plan_import(
                acting_user=request.user,
                rows=registry_import.read_rows(upload.read()),
                file_name=upload.name,
            )
            context |= {"plan": plan, "errors": plan.errors[:ERRORS_SHOWN], "dry_run": not commit}
            if commit:
                context["record"] = registry_import.commit_import(acting_user=request.user, plan=plan)
        except ValidationError as error:
            form.add_error(None, error.messages)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, "residents/registry_import.html", context, status=status)


@require_safe
@login_required
@access.role_required(access.is_station_user)
def registry_import_template(request):
    response = HttpResponse(registry_import.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E5%B1%85%E6%B0%91%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
