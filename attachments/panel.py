"""The context of the attachments panel of one owner (what the template tag and views render)."""

from django.urls import reverse

from attachments import registry
from attachments.forms import UploadForm
from attachments.models import Attachment
from stations import access


def panel_context(request, owner, *, form=None) -> dict:
    """The owner's live attachments (one query, with their uploaders), what the user may do with them,
    and an upload form; an empty dict when the user may not read the owner's attachments."""
    user = request.user
    rule = registry.rule_for(owner)
    if not rule.can_read(user, owner):
        return {}
    can_attach = rule.can_attach(user, owner)
    items = list(
        Attachment.objects.visible_to(user)
        .live()
        .of(owner)
        .select_related("uploaded_by")
        .order_by("-uploaded_at")
    )
    head = access.is_station_head(user)
    removable = {
        item.pk
        for item in items
        if can_attach and (item.uploaded_by_id == user.pk or (head and item.station_id == user.station_id))
    }
    return {
        "owner": owner,
        "items": items,
        "removable": removable,
        "can_attach": can_attach,
        "form": form or (UploadForm(kinds=rule.kinds) if can_attach else None),
        "upload_url": reverse("attachments:upload", args=[rule.label, owner.pk]),
        "back": request.get_full_path(),
        "key": f"{rule.label.replace('.', '-')}-{owner.pk}",
    }
