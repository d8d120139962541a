"""Message templates: Chinese texts admins edit, placeholders checked on save, a preview in the admin,
and the seeded defaults (item 8, the template part)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications import messages
from notifications.events import PLACEHOLDERS, Event, ResidentMessage
from notifications.inbox import Notification
from notifications.messages import DEFAULT_TEXTS, MessageTemplate
from residents.models import Request
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_data_migration_seeded_every_default_text():
    seeded = {(t.code, t.channel): t.text for t in MessageTemplate.objects.all()}
    assert seeded == DEFAULT_TEXTS


def test_every_default_uses_only_its_placeholders():
    for (code, _channel), text in DEFAULT_TEXTS.items():
        messages.check_text(code, text)
    assert {code for code, _ in DEFAULT_TEXTS} == set(PLACEHOLDERS)


@pytest.mark.parametrize(
    "text, error",
    [
        ("诉求 {name} 已登记", "不能使用占位符 {name}"),
        ("诉求 {reference.__class__} 已登记", "格式不正确"),
        ("诉求 {reference!r}", "格式不正确"),
        ("诉求 {reference:>30}", "格式不正确"),
        ("诉求 {0}", "格式不正确"),
        ("诉求 {reference", "花括号不成对"),
    ],
)
def test_a_bad_placeholder_is_refused_on_save(text, error):
    template = MessageTemplate.objects.get(code=Event.REQUEST_NEW, channel="sms")
    template.text = text
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert error in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        template.save()
    template.refresh_from_db()
    assert template.text == DEFAULT_TEXTS[(Event.REQUEST_NEW, "sms")]


def test_residents_texts_cannot_name_the_requests_details():
    template = MessageTemplate.objects.get(code=ResidentMessage.REGISTERED, channel="sms")
    template.text = "您反映的{category}已受理"
    with pytest.raises(ValidationError, match="category"):
        template.save()


def test_an_edited_text_is_what_people_get(guoyuan, worker2):
    MessageTemplate.objects.filter(code=Event.REQUEST_NEW, channel="inbox").update(
        text="【请研判】{reference}｛{category}｝{{原样}}"
    )
    request = f.make_request(guoyuan, channel=Request.Channel.QR)

    title = Notification.objects.get(recipient=worker2).title
    assert title == f"【请研判】{request.reference}｛{request.category.name}｝{{原样}}"


def test_a_deleted_template_falls_back_to_the_default(guoyuan, worker2):
    MessageTemplate.objects.filter(code=Event.REQUEST_NEW).delete()
    request = f.make_request(guoyuan, channel=Request.Channel.QR)

    assert Notification.objects.get(recipient=worker2).title.startswith(f"新诉求 {request.reference}")


def test_the_admin_previews_with_sample_values(client, admin_user):
    template = MessageTemplate.objects.get(code=ResidentMessage.REGISTERED, channel="sms")
    client.force_login(admin_user)
    html = client.get(
        reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    ).content.decode()

    assert "受理编号120113001-2026-00042" in html  # the preview, rendered
    assert "<code>{lookup_url}</code>" in html  # the placeholders this text may use
    listing = client.get(reverse("admin:notifications_messagetemplate_changelist")).content.decode()
    assert "查询码7KQ3MZ" in listing


def test_the_admin_refuses_a_bad_placeholder_in_chinese(client, admin_user):
    template = MessageTemplate.objects.get(code=Event.REQUEST_NEW, channel="sms")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:notifications_messagetemplate_change", args=[template.pk]),
        {"code": template.code, "channel": "sms", "text": "新诉求{phone}"},
    )

    assert response.status_code == 200
    assert "不能使用占位符 {phone}" in response.content.decode()
    template.refresh_from_db()
    assert "{phone}" not in template.text
