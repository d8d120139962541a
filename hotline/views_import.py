"""The fallback import page: a district centre (or an admin) uploads the hotline's spreadsheet of work
orders; 试导入 shows what would be created, what is already present and what is refused, writing nothing;
导入 keeps everything or, when any row is refused, nothing (hotline.work_order_import).

A dry run that passed offers 确认导入 for the same file without choosing it again: its bytes wait in the
shared cache (where sessions live) for half an hour, under a random token and the user's id, so nobody
else's token reaches them."""

import secrets

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
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
STAGED_SECONDS = 30 * 60


def _staged_key(user, token):
    return f"hotline-import:{user.pk}:{token}"


def _stage(user, name, data) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_staged_key(user, token), {"name": name, "data": data}, STAGED_SECONDS)
    return token


def _take_staged(user, token):
    """The staged file (name, bytes) for `user`'s token, or None when it expired or is not theirs."""
    if not token or len(token) > 64:
        return None
    staged = cache.get(_staged_key(user, token))
    return (staged["name"], staged["data"]) if staged else None


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
    dry_run = request.POST.get("action") != "commit"
    staged_token = request.POST.get("staged", "")
    if request.method == "POST" and staged_token and not dry_run:
        staged = _take_staged(request.user, staged_token)
        if staged is None:
            return _refused(request, ImportForm(), ["试导入的文件已过期（30分钟），请重新选择文件。"])
        name, data = staged
        form = ImportForm()
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name, data = upload.name, upload.read()
    else:
        status = 400 if request.method == "POST" else 200
        return render(request, "hotline/import.html", context, status=status)
    try:
        result = work_order_import.import_work_orders(
            acting_user=request.user,
            rows=work_order_import.read_rows(data),
            file_name=name,
            dry_run=dry_run,
        )
    except ValidationError as error:
        return _refused(request, form, error.messages)
    context = {"form": form, "result": result, "errors": result.errors[:ERRORS_SHOWN], "dry_run": dry_run}
    if dry_run and result.total and not result.errors:
        context["staged"] = _stage(request.user, name, data)
    if result.committed and staged_token:
        cache.delete(_staged_key(request.user, staged_token))
    return render(request, "hotline/import.html", context, status=status)


def _refused(request, form, messages):
    if not form.is_bound:
        form.full_clean()  # an empty form (the staged file's commit) gets its error lists …
        form.cleaned_data = {}  # … and add_error the dict it clears
    form.add_error(None, messages)
    return render(request, "hotline/import.html", {"form": form}, status=400)


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
