"""The fallback import page: a district centre (or an admin) uploads the hotline's spreadsheet of work
orders; 试导入 shows what would be created, what is already present and what is refused, writing nothing;
导入 keeps everything or, when any row is refused, nothing (hotline.work_order_import)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hotline import work_order_import
from stations import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024  # bytes: far more than the 2,000 rows one import takes
ERRORS_SHOWN = 200


class ImportForm(forms.Form):
    file = forms.FileField(label="工单表（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError("文件超过5MB，请分批导入。")
        return upload


@never_cache
@login_required
@access.role_required(work_order_import.may_import)
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = work_order_import.import_work_orders(
                acting_user=request.user,
                rows=work_order_import.read_rows(upload.read()),
                file_name=upload.name,
                dry_run=request.POST.get("action") != "commit",
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            status = 400
        else:
            context |= {
                "result": result,
                "errors": result.errors[:ERRORS_SHOWN],
                "dry_run": request.POST.get("action") != "commit",
            }
    elif request.method == "POST":
        status = 400
    return render(request, "hotline/import.html", context, status=status)


@require_safe
@login_required
@access.role_required(work_order_import.may_import)
def import_template(request):
    response = HttpResponse(work_order_import.template_workbook(), content_type=XLSX)
    # 12345工单导入模板.xlsx
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''12345%E5%B7%A5%E5%8D%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
