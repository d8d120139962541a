"""Error pages speak Chinese and say what to do next."""

from django.test import Client


def test_missing_page_is_a_chinese_404(client, worker):
    client.force_login(worker)
    response = client.get("/stations/999999999/")
    assert response.status_code == 404
    assert "未找到该页面" in response.content.decode()


def test_csrf_failure_page_is_in_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
