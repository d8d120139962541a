"""Pages are in Simplified Chinese whatever the browser says; English only when chosen."""

from django.conf import settings


def test_english_browser_still_gets_chinese(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in response.content.decode()


def test_chosen_language_cookie_switches_to_english(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/login/")
    assert response["Content-Language"] == "en"


def test_unknown_language_cookie_falls_back_to_chinese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/login/")["Content-Language"] == "zh-hans"


def test_form_labels_end_with_chinese_colon():
    from django import forms
    from django.utils import translation

    class NameForm(forms.Form):
        name = forms.CharField(label="姓名")

    with translation.override("zh-hans"):
        assert NameForm()["name"].label_tag() == '<label for="id_name">姓名：</label>'


def test_language_switch_sets_the_cookie(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/login/")["Content-Language"] == "en"
