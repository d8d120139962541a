"""The partner's answer link: one answer of each kind, then spent; it expires; a wrong token is a 404;
it shows only its own referral; each answer is on the request's timeline and reaches the worker; the
link goes out through the outbox with the referral, and one reminder when the partner is silent."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.inbox import Notification
from notifications.models import OutboxMessage
from partners import services
from partners.models import PartnerAnswer, PartnerLink, token_digest
from residents.models import TimelineEvent
from tests.partners import factories as pf

pytestmark = pytest.mark.django_db


def _url(token):
    return reverse("partner_link:answer", args=[token])


def test_the_referral_sends_the_link_by_sms_in_the_outbox(referred):
    message = OutboxMessage.objects.get(template_code="partner_referral")
    assert message.address == "13820001111"
    assert "天津安居充电设备有限公司" in message.body and "/p/" in message.body
    token = message.body.rsplit("/p/", 1)[1].strip("/")
    # The database keeps only the token's keyed hash.
    link = PartnerLink.objects.get(partner_referral=referred)
    assert link.token_hash == token_digest(token) and token not in link.token_hash
    assert "张桂兰" not in message.body


def test_accept_then_done_each_once_on_the_timeline_and_told(client, worker, referred):
    _link, token = pf.new_link(referred)
    response = client.post(_url(token), {"outcome": "accepted", "note": ""})
    assert response.status_code == 302
    # The same answer again through the same link: refused (the choice is no longer offered).
    again = client.post(_url(token), {"outcome": "accepted"})
    assert again.status_code == 400
    assert PartnerAnswer.objects.filter(partner_referral=referred, outcome="accepted").count() == 1
    done = client.post(_url(token), {"outcome": "done", "note": "已安装6个充电桩"})
    assert done.status_code == 302 and done["Location"] == reverse("partner_link:thanks")
    referred.referral.refresh_from_db()
    assert referred.referral.outcome == "done" and referred.referral.outcome_note == "已安装6个充电桩"
    texts = list(
        TimelineEvent.objects.filter(request=referred.request, kind="referral_outcome").values_list(
            "text", "actor"
        )
    )
    assert [t for t, _a in texts] == [
        "合作伙伴回复 · 天津安居充电设备有限公司：已接收",
        "合作伙伴回复 · 天津安居充电设备有限公司：已办结。已安装6个充电桩",
    ]
    assert all(actor is None for _t, actor in texts)
    told = Notification.objects.filter(recipient=worker, event="referral_answered")
    assert told.count() == 2
    # Spent: the link (and any other of the referral) now answers nothing and shows nothing.
    assert client.get(_url(token)).status_code == 404


def test_a_declined_answer_needs_its_reason(client, referred):
    _link, token = pf.new_link(referred)
    response = client.post(_url(token), {"outcome": "declined", "note": ""})
    assert response.status_code == 400
    assert "请填写未能接收的原因" in response.content.decode()
    referred.referral.refresh_from_db()
    assert referred.referral.outcome == "pending"
    assert client.post(_url(token), {"outcome": "declined", "note": "超出服务范围"}).status_code == 302
    referred.referral.refresh_from_db()
    assert referred.referral.outcome == "declined"


def test_an_expired_link_is_a_404_and_answers_nothing(client, referred):
    issued = timezone.now() - datetime.timedelta(days=15)  # PARTNER_LINK_DAYS is 14
    _link, token = pf.new_link(referred, now=issued)
    assert client.get(_url(token)).status_code == 404
    assert client.post(_url(token), {"outcome": "accepted"}).status_code == 404
    referred.referral.refresh_from_db()
    assert referred.referral.outcome == "pending"


def test_the_service_refuses_an_expired_link_too(referred):
    link, _token = pf.new_link(referred)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.answer_referral(
            link=link, outcome="accepted", now=link.expires_at + datetime.timedelta(seconds=1)
        )


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500])
def test_a_wrong_token_is_a_404(client, referred, token):
    assert client.get(_url(token)).status_code == 404
    assert client.post(_url(token), {"outcome": "accepted"}).status_code == 404


def test_the_link_shows_only_its_referral(client, worker, chaoyangli, resident, partner):
    first = pf.refer(
        worker, pf.make_request(worker, chaoyangli, resident=resident), partner, reason="需安装充电桩甲"
    )
    second = pf.refer(
        worker, pf.make_request(worker, chaoyangli, description="另一件"), partner, reason="需修理路灯乙"
    )
    _link, token = pf.new_link(first)
    text = client.get(_url(token)).content.decode()
    assert "需安装充电桩甲" in text and first.request.reference in text
    assert "需修理路灯乙" not in text and second.request.reference not in text
    # Answering through the first link leaves the second referral as it was.
    client.post(_url(token), {"outcome": "accepted"})
    second.referral.refresh_from_db()
    assert second.referral.outcome == "pending"


def test_the_link_page_is_rate_limited(client, referred, settings):
    settings.PUBLIC_RATE_LIMITS = {"partner_link": (3, 600)}
    _link, token = pf.new_link(referred)
    assert [client.get(_url(token)).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_link_page_opens_on_a_phone_without_an_account(client, referred):
    _link, token = pf.new_link(referred)
    response = client.get(_url(token))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="viewport"' in text and "已接收" in text and "未接收" in text
    assert "已办结" not in text.split("<form", 1)[1]  # 办结 is offered once it was accepted
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_a_silent_partner_is_reminded_once(worker, referred, settings):
    later = timezone.now() + datetime.timedelta(days=settings.PARTNER_REMINDER_DAYS, minutes=1)
    assert services.remind_unanswered(now=timezone.now()) == 0  # not yet due
    assert services.remind_unanswered(now=later) == 1
    assert services.remind_unanswered(now=later + datetime.timedelta(days=1)) == 0  # once
    assert OutboxMessage.objects.filter(template_code="partner_reminder").count() == 1
    assert Notification.objects.filter(recipient=worker, event="referral_unanswered").count() == 1
    # The reminder carries a fresh link, which works.
    body = OutboxMessage.objects.get(template_code="partner_reminder").body
    token = body.rsplit("/p/", 1)[1].strip("/")
    link = PartnerLink.objects.get(token_hash=token_digest(token))
    assert link.partner_referral_id == referred.pk and link.is_usable()


def test_an_answered_referral_is_not_reminded(client, referred, settings):
    _link, token = pf.new_link(referred)
    client.post(_url(token), {"outcome": "accepted"})
    later = timezone.now() + datetime.timedelta(days=settings.PARTNER_REMINDER_DAYS + 1)
    assert services.remind_unanswered(now=later) == 0


def test_the_request_page_shows_the_answer_on_its_timeline(client, worker, referred):
    _link, token = pf.new_link(referred)
    client.post(_url(token), {"outcome": "accepted"})
    client.force_login(worker)
    text = client.get(referred.request.get_absolute_url()).content.decode()
    assert "合作伙伴回复 · 天津安居充电设备有限公司：已接收" in text
    assert "转介至合作伙伴" in text
