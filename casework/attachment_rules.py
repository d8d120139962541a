"""A case's attachments (the consent scan, photos, documents) through the attachments component: read
under the case's confidentiality rule, attached by the case's own workers, every download logged against
the client and the registered persons around the client, each upload or removal on the case's timeline.
Registered in `CaseworkConfig.ready`."""

from attachments import registry
from casework.models import Case, CaseEvent
from casework.permissions import page_access
from stations import access


def can_read(user, case) -> bool:
    if page_access(case, user) is not None:
        return True  # the case page read it through visible_to and may_open
    return Case.objects.visible_to(user).filter(pk=case.pk).exists() and access.may_open(user, case)


def can_attach(user, case) -> bool:
    """The station's own work on the case (its workers, colleagues shared with, its head)."""
    noted = page_access(case, user)
    if noted is not None:
        return noted
    return (
        access.works_at(user, case)
        and Case.objects.editable_by(user).filter(pk=case.pk).exists()
        and access.may_open(user, case)
    )


def residents(case):
    return [case.client_id, *case.parties.exclude(resident=None).values_list("resident_id", flat=True)]


def on_change(acting_user, attachment, action):
    verb = "上传附件" if action == "attach" else "删除附件"
    CaseEvent.objects.create(
        case_id=attachment.object_id,
        kind=CaseEvent.Kind.NOTE,
        actor=acting_user,
        text=f"{verb}：{attachment.get_kind_display()} {attachment.original_name}",
        data={"attachment": attachment.pk, "action": action},
    )


def register():
    registry.register(
        Case,
        can_read=can_read,
        can_attach=can_attach,
        residents=residents,
        on_change=on_change,
        kinds=["consent", "photo", "document", "other"],
    )
