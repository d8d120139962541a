"""The attachment pages: upload to a record, download (scoped, logged), remove (soft).

Every object is fetched through its scope: the owner through its model's `visible_to` and the owner's
rules (registry), the attachment through `Attachment.objects.visible_to` and then its owner's rules; a
record outside them is a 404, like a missing one. Downloads are streamed by the app, never redirected
to a storage URL, and each is written to the personal-data access log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from attachments import registry, services
from attachments.forms import UploadForm
from attachments.models import Attachment
from stations.access import get_visible_or_404
from stations.audit import PersonalDataAccess, record_access


def _back(request, owner):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return owner.get_absolute_url()


def _owner_for_attaching(request, owner_type, owner_id):
    rule = registry.rule_for_label(owner_type)
    owner = get_object_or_404(rule.model._default_manager.visible_to(request.user), pk=owner_id)
    if not rule.can_attach(request.user, owner):
        raise Http404  # as the owner's edit pages: not hers to change looks like missing
    return rule, owner


@login_required
def upload(request, owner_type, owner_id):
    """A form of its own (GET; and after a refused file, with the message) and the panel's target."""
    rule, owner = _owner_for_attaching(request, owner_type, owner_id)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None, kinds=rule.kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_file(
                acting_user=request.user,
                owner=owner,
                uploaded_file=form.cleaned_data["upload"],
                kind=form.cleaned_data["kind"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            form.add_error(form.upload_field() if exc.code != "kind" else "kind", exc.messages)
        else:
            messages.success(request, "附件已上传。")
            return redirect(_back(request, owner))
    return render(
        request,
        "attachments/upload.html",
        {"form": form, "owner": owner, "back": _back(request, owner)},
        status=400 if request.method == "POST" else 200,
    )


def _readable(request, pk):
    attachment = get_visible_or_404(
        Attachment.objects.live().select_related("content_type"), request.user, pk=pk
    )
    try:
        rule = registry.rule_for(attachment.content_type.model_class())
    except LookupError:
        raise Http404 from None
    owner = attachment.owner
    if owner is None or not rule.can_read(request.user, owner):
        raise Http404
    return attachment, rule, owner


@require_safe
@login_required
def download(request, pk):
    attachment, rule, owner = _readable(request, pk)
    handle = attachment.file.open("rb")  # first: a file the storage cannot give is no download
    # A file leaving the system: logged as 下载附件 (not a list export), with the owner's residents.
    record_access(request, PersonalDataAccess.Action.DOWNLOAD, residents=rule.resident_ids(owner))
    inline = attachment.is_image and request.GET.get("inline") == "1"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.download_name,
        content_type=attachment.type_info.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def remove(request, pk):
    """GET: confirm; POST: remove (the uploader, or the station's head)."""
    attachment, rule, owner = _readable(request, pk)
    if not services.may_remove(request.user, attachment):
        raise PermissionDenied
    confirmed = request.POST.get("confirm") == "1"
    if request.method == "POST" and confirmed:
        try:
            services.remove_attachment(acting_user=request.user, attachment=attachment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"附件“{attachment.original_name}”已删除。")
        return redirect(_back(request, owner))
    return render(
        request,
        "attachments/remove.html",
        {
            "attachment": attachment,
            "owner": owner,
            "back": _back(request, owner),
            "unconfirmed": request.method == "POST",
        },
        status=400 if request.method == "POST" else 200,
    )
