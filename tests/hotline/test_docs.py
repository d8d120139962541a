"""docs/api.md is true: its curl example's order is accepted as written (201, then 200 with the same order),
the order it shows has the fields the API answers, its error example's shape is the API's, and its Python
`verify` accepts a real callback and refuses a tampered one."""

import json
import re
import shlex
from pathlib import Path

import pytest
from django.test import Client

from hotline import services
from hotline.models import WorkOrder
from notifications import delivery
from tests.hotline.fake_hotline import FakeHotline

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
URL = "/api/v1/work-orders/"


def code_blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def curl_calls():
    """Each curl command of the examples: (path, headers, JSON body or None)."""
    [script] = code_blocks("sh")
    key = re.search(r"KEY='([^']*)'", script).group(1)
    calls = []
    for command in re.split(r"\n(?=curl )", script.replace("\\\n", " ")):
        if not command.startswith("curl "):
            continue
        words = shlex.split(command.replace("$KEY", key))
        path = next(w for w in words if w.startswith("https://")).split("gov.cn", 1)[1]
        headers = [words[i + 1] for i, w in enumerate(words) if w == "-H"]
        body = next((json.loads(words[i + 1]) for i, w in enumerate(words) if w == "-d"), None)
        calls.append((path, headers, body))
    return calls


def client_for(plain, headers):
    [auth] = [h for h in headers if h.startswith("Authorization:")]
    assert auth == "Authorization: Api-Key sws_1a2b3c4d5e6f_…"  # the documented header, with a real key
    return Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")


def test_the_curl_examples_work_as_written(city_key, guoyuan, chaoyangli, worker):
    (post_path, post_headers, order), (get_path, get_headers, _), (rate_path, _h, rating) = curl_calls()
    client = client_for(city_key.plain, post_headers)
    created = client.post(post_path, order, content_type="application/json")
    assert created.status_code == 201, created.content
    again = client.post(post_path, order, content_type="application/json")
    assert again.status_code == 200 and again.json() == created.json()
    read = client_for(city_key.plain, get_headers).get(get_path)
    assert read.status_code == 200 and read.json()["ticket_no"] == order["ticket_no"]
    # The order the docs show has exactly the fields the API answers.
    shown = json.loads(next(b for b in code_blocks("json") if '"sign_due_at"' in b))
    assert set(shown) == set(read.json())
    assert (read.json()["sign_due_at"], read.json()["reply_due_at"]) == (
        shown["sign_due_at"],
        shown["reply_due_at"],
    )  # 09:30 + 2 working hours; the end of the 5th working day after
    # Rated before the reply: the documented 400 on `state`; after it, the order is closed.
    early = client.post(rate_path, rating, content_type="application/json")
    assert early.status_code == 400 and set(early.json()["errors"]) == {"state"}
    placed = WorkOrder.objects.get(ticket_no=order["ticket_no"])
    services.sign_work_order(acting_user=worker, order=placed)
    services.reply_work_order(acting_user=worker, order=placed, result="路灯已更换，已恢复照明。")
    rated = client.post(rate_path, rating, content_type="application/json")
    assert rated.status_code == 200 and rated.json()["state"] == "closed"


def test_the_error_example_has_the_apis_shape(city_key, guoyuan):
    shown = json.loads(next(b for b in code_blocks("json") if '"errors"' in b))
    answer = Client(HTTP_AUTHORIZATION=f"Api-Key {city_key.plain}").post(
        URL, {"ticket_no": "GD-BAD", "category_code": "9999"}, content_type="application/json"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["detail"] == shown["detail"]
    assert set(body["errors"]["category_code"][0]) == {"zh", "en"}
    assert "received_at" in body["errors"]


@pytest.fixture
def documented_verify():
    [snippet] = code_blocks("python")
    scope = {}
    exec(compile(snippet, "docs/api.md", "exec"), scope)  # the integrators' code, exactly as published
    return scope["verify"]


def test_the_documented_verify_accepts_a_real_callback_and_refuses_a_forged_one(
    city_key, guoyuan, worker, documented_verify
):
    with FakeHotline({city_key.key_id: city_key.callback_secret}) as fake:
        city_key.callback_url = fake.url
        city_key.save(update_fields=["callback_url"])
        order, _ = services.receive_work_order(
            api_key_or_user=city_key, data=json.loads(json.dumps(curl_calls()[0][2]))
        )
        services.sign_work_order(acting_user=worker, order=order)
        delivery.deliver_due()
    [(headers, body, status)] = fake.received
    assert status == 200
    assert documented_verify(city_key.callback_secret, headers, body)
    assert not documented_verify(city_key.callback_secret, headers, body.replace(b"signed", b"replied"))
    assert not documented_verify("another secret", headers, body)
    payload = json.loads(body)
    assert payload["event"] == "signed" and payload["ticket_no"] == order.ticket_no
    assert headers["Idempotency-Key"].startswith(f"hotline:{order.ticket_no}:signed:")
