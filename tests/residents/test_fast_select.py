"""residents.widgets.FastSelect writes in Python the HTML Django's Select renders through templates."""

import re

from django import forms

from residents.widgets import FastSelect


def _normalised(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


CHOICES = [
    ("", "全部"),
    ("a", "甲 & <乙>"),
    ("分组", [("b", "丙"), ("c", '丁"戊')]),
    (3, "三"),
]


def _both(value, attrs=None):
    fast = FastSelect(choices=CHOICES, attrs=attrs).render("field", value, {"id": "id_field"})
    slow = forms.Select(choices=CHOICES, attrs=attrs).render("field", value, {"id": "id_field"})
    return _normalised(fast), _normalised(slow)


def test_same_html_as_django_select_with_optgroups_selected_and_escaping():
    for value in ("", "a", "c", 3, None, "missing"):
        fast, slow = _both(value, attrs={"data-x": "1", "disabled": True})
        assert fast == slow
    fast, _ = _both("c")
    assert '<option value="c" selected>丁&quot;戊</option>' in fast
    assert '<optgroup label="分组">' in fast
    assert "甲 &amp; &lt;乙&gt;" in fast


def test_queue_filter_form_selects_keep_their_choices(client, worker):
    client.force_login(worker)
    html = client.get("/residents/requests/", {"priority": "2", "assignee": "null"}).content.decode()
    assert '<select name="priority" id="id_priority"><option value="">全部</option>' in html
    assert '<option value="2" selected>' in html
    assert '<option value="null" selected>未指派</option>' in html
