"""The admin speaks Chinese: app and model names (third-party ones too), permissions, the user form's
help texts, and the labels the README points to. Stations and staff come first on the index."""

import re
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

README = Path(__file__).resolve().parents[2] / "README.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def ascii_only(text) -> bool:
    return not CJK.search(str(text))


def visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>|<option.*?</option>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)  # attributes (ids, names, classes) are not read by anyone
    return re.sub(r"\s+", " ", html)


def english_phrases(text: str) -> list[str]:
    """Runs of two or more English words (a sentence or a label); single code words are allowed."""
    return re.findall(r"[A-Za-z]{2,}(?:[ ,.’'-]+[A-Za-z]{2,})+", text)


def test_the_admin_index_names_every_app_and_model_in_chinese(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    labels = []
    for app in response.context["app_list"]:
        labels.append(app["name"])
        labels += [model["name"] for model in app["models"]]
    assert len(labels) > 30
    assert [label for label in labels if ascii_only(label)] == []
    assert english_phrases(visible_text(response.content.decode())) == []


def test_stations_and_staff_come_first_on_the_admin_index(client, admin_user):
    client.force_login(admin_user)
    app_list = client.get(reverse("admin:index")).context["app_list"]
    assert [app["app_label"] for app in app_list][:3] == ["stations", "residents", "projects"]
    first = [model["object_name"] for model in app_list[0]["models"]][:4]
    assert first == ["Station", "Assignment", "User", "Certificate"]


def test_permissions_read_in_chinese(client, admin_user, worker):
    assert not Permission.objects.filter(name__startswith="Can ").exists()
    client.force_login(admin_user)
    form = client.get(reverse("admin:stations_user_change", args=[worker.pk])).context["adminform"].form
    field = form.fields["user_permissions"]
    labels = [field.label_from_instance(p) for p in field.queryset]
    assert labels
    # app | model | permission: every part in Chinese.
    assert [label for label in labels if any(ascii_only(part) for part in label.split(" | "))] == []
    assert "站点与人员 | 社工站 | 可修改社工站" in labels


def test_the_user_forms_help_texts_are_chinese(client, admin_user, worker):
    client.force_login(admin_user)
    for url in (reverse("admin:stations_user_add"), reverse("admin:stations_user_change", args=[worker.pk])):
        response = client.get(url)
        assert response.status_code == 200
        form = response.context["adminform"].form
        helps = [str(f.help_text) for f in form.fields.values() if f.help_text]
        assert helps and [text for text in helps if ascii_only(text)] == []
        assert english_phrases(visible_text(response.content.decode())) == [], url


def test_the_labels_the_readme_names_exist_in_the_admin(client, admin_user):
    """`in admin (登录安全 › 登录锁定)`, `in admin, 困难标签)`, `the group **…**`: each is on the admin index
    (an app › model path, or a model) or is a group the database has."""
    readme = README.read_text(encoding="utf-8")
    labels = re.findall(r"admin \(([^)`]+)\)", readme) + re.findall(r"admin, ([^)`\s]+)\)", readme)
    groups = re.findall(r"the group \*\*([^*]+)\*\*", readme)
    assert len(labels) >= 3 and groups
    client.force_login(admin_user)
    app_list = client.get(reverse("admin:index")).context["app_list"]
    models = {str(model["name"]) for app in app_list for model in app["models"]}
    paths = {f"{app['name']} › {model['name']}" for app in app_list for model in app["models"]}
    missing = [label for label in labels if label not in models and label not in paths]
    assert missing == []
    assert set(groups) <= set(Group.objects.values_list("name", flat=True))
