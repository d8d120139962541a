"""The queue's rows (residents/queue_rows.py, templates/residents/_queue_row.html) and its filter fields:
escaped, masked, the same markup a template would write, forms that work as plain posts, and a query count
that does not grow with the rows."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.paginator import Paginator
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from residents.filters import RequestFilter
from residents.models import Category, Request
from residents.widgets import FastCheckboxInput, FastTextInput
from stations.locking import STALE_MESSAGE
from stations.models import Community
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import make_resident

URL = reverse("residents:request-queue")


class _Forms(HTMLParser):
    """The forms of a page as a browser without JavaScript would send them: action and fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action"), "method": attrs.get("method"), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
            self._form["fields"].setdefault(self._select, None)
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or self._form["fields"][self._select] is None)
        ):
            self._form["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms(html, action):
    parser = _Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["action"] == action]


def _row(html, request):
    match = re.search(rf'<tr id="request-{request.pk}".*?</tr>\n', html, flags=re.S)
    assert match, f"no row for {request.reference}"
    return match.group(0)


@pytest.mark.django_db
def test_names_and_labels_are_escaped(client, worker, guoyuan, chaoyangli):
    parent = Category.objects.create(name="<b>父</b>")
    category = Category.objects.create(name="<i>分类</i>", parent=parent)
    request = make_request(guoyuan, chaoyangli, reporter_name="<script>alert(1)</script>")
    Request.objects.filter(pk=request.pk).update(category=category)
    f.make_user("evil", station=guoyuan, name='"><img src=x onerror=alert(2)>')
    client.force_login(worker)
    row = _row(client.get(URL).content.decode(), request)
    assert "<script>" not in row and "&lt;script&gt;alert(1)&lt;/script&gt;" in row
    assert "&lt;b&gt;父&lt;/b&gt; › &lt;i&gt;分类&lt;/i&gt;" in row
    assert "<img" not in row and "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in row


@pytest.mark.django_db
def test_a_next_with_quotes_stays_inside_its_attribute(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    html = client.get(URL, {"reference": '"><script>x</script>'}).content.decode()
    assert "<script>x" not in html
    row = _row(client.get(URL, {"x": '"><b>'}).content.decode(), request)
    assert "<b>" not in row and 'name="next" value="/residents/requests/?x=%22%3E%3Cb%3E"' in row


@pytest.mark.django_db
def test_sensitive_residents_are_masked_without_the_permission(client, worker2, guoyuan, chaoyangli):
    today = timezone.localdate()
    child = make_resident(chaoyangli, name="王小明", birth_date=datetime.date(today.year - 9, 3, 1))
    adult = make_resident(chaoyangli, name="刘建华", birth_date=datetime.date(1960, 1, 1))
    adult.tags.create(code="sensitive-queue", name="敏感", sensitive=True)
    plain = make_resident(chaoyangli, name="张桂兰", birth_date=datetime.date(1950, 1, 1))
    for resident in (child, adult, plain):
        make_request(guoyuan, chaoyangli, resident=resident)
    client.force_login(worker2)  # a station worker without view_sensitive_resident
    html = client.get(URL).content.decode()
    assert "王**" in html and "刘**" in html and "张桂兰" in html
    assert "王小明" not in html and "刘建华" not in html


@pytest.mark.django_db
def test_rows_show_state_and_the_actions_it_allows(client, worker, worker2, guoyuan):
    new = make_request(guoyuan)
    referred = make_request(guoyuan, status="referred", assignee=worker2)
    follow_up = make_request(guoyuan, status="resolved", follow_up_due_on=timezone.localdate())
    client.force_login(worker)
    html = client.get(URL).content.decode()

    row = _row(html, new)
    assert '<span class="badge status-new">新登记</span>' in row and ">研判</button>" in row
    assert f'<select name="assignee" id="asg-{new.pk}"><option value="">选择社工</option>' in row
    assert f'<option value="{worker.pk}">' in row
    assert ">开始办理</button>" in row and f'href="{new.get_absolute_url()}"' in row

    row = _row(html, referred)
    assert ">调整</button>" in row and ">继续办理</button>" in row
    assert f'<option value="{worker2.pk}" selected>李静</option>' in row and "选择社工" not in row
    assert '<td data-label="承办">李静</td>' in row

    row = _row(html, follow_up)
    assert '<span class="badge badge-warn">待回访</span>' in row
    assert f"回访 {timezone.localdate():%m-%d}" in row
    assert f'href="{follow_up.get_absolute_url()}#action-follow_up">回访</a>' in row
    assert "<form" not in row  # resolved: no quick action but the follow-up link
    assert f"{timezone.localtime(new.due_at):%H:%M} · 剩 " in _row(html, new)  # residents/deadlines.py


@pytest.mark.django_db
def test_the_forms_on_the_page_work_as_plain_posts(client, worker, worker2, guoyuan):
    """What a browser without JavaScript sends: each form's own fields, to its own action."""
    request = make_request(guoyuan)
    client.force_login(worker)
    back = f"{URL}?priority={request.priority}"
    html = client.get(back).content.decode()

    (triage,) = _forms(html, reverse("residents:request-triage", args=[request.pk]))
    assert triage["fields"]["next"] == back and triage["fields"]["version"] == "1"
    assert triage["fields"]["csrfmiddlewaretoken"]
    response = client.post(triage["action"], {**triage["fields"], "severity": "severe", "urgency": "urgent"})
    assert response.status_code == 302 and response.url == back
    request.refresh_from_db()
    assert (request.status, request.priority, request.version) == ("triaged", 1, 2)

    html = client.get(URL).content.decode()
    (assign,) = _forms(html, reverse("residents:request-assign", args=[request.pk]))
    assert assign["fields"]["version"] == "2"
    response = client.post(assign["action"], {**assign["fields"], "assignee": worker2.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assignee == worker2

    (start,) = _forms(client.get(URL).content.decode(), reverse("residents:request-start", args=[request.pk]))
    client.post(start["action"], start["fields"])
    request.refresh_from_db()
    assert request.status == "in_progress"


@pytest.mark.django_db
def test_the_htmx_answer_is_the_row_the_page_shows(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    on_page = _row(client.get(URL).content.decode(), request)
    answer = client.post(
        reverse("residents:request-triage", args=[request.pk]),
        {"version": 99, "from": "queue", "next": URL, "severity": "mild", "urgency": "not_urgent"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert STALE_MESSAGE in answer
    without_error = re.sub(r'<ul class="errorlist".*?</ul>', "", answer)
    strip_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip_token.sub("", without_error) == strip_token.sub("", on_page)


@pytest.mark.django_db
def test_a_community_outside_the_filter_list_is_still_shown(client, worker, guoyuan, jixianli):
    """Rows take their community from the filter's list; one it does not hold is read on its own."""
    elsewhere = jixianli.streets.get().communities.get()
    request = make_request(guoyuan)
    Request.objects.filter(pk=request.pk).update(community=elsewhere)
    client.force_login(worker)
    assert f'<td data-label="社区">{elsewhere.short_name}</td>' in _row(
        client.get(URL).content.decode(), request
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["worker", "district_user", "city_user"])
def test_queries_do_not_grow_from_5_to_50_rows(client, request, guoyuan, worker2, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    client.get(URL)  # the session's first read; the option lists cached (stations/reference.py)

    def add(n):
        for i in range(n):
            make_request(
                guoyuan,
                status=["new", "triaged", "in_progress", "referred"][i % 4],
                assignee=worker2 if i % 2 else None,
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        return len(captured.captured_queries), len(response.context["page"].object_list)

    add(5)
    small = queries()
    add(25)
    longer = queries()
    add(20)
    # Session, user and the rows (and a district user's station ids, stations/access.py): a queue that
    # fits on its page is counted from its rows; a longer one by one query more, whatever its length.
    # Then the personal-data access record (stations.audit.record_access): savepoint, INSERT, release
    # (these requests name no resident, so no INSERT of the record's residents).
    # A district user's navigation also asks whether she is a casework supervisor (her permissions and her
    # groups' permissions: two queries, cached for the request).
    base = (4 + 2 if role == "district_user" else 3) + 3
    assert small == (base, 5)
    assert longer == (base + 1, 25)
    assert queries() == (base + 1, 25)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page, shown",
    [(None, 1), ("1", 1), ("2", 2), ("3", 3), ("4", 3), ("99", 3), ("0", 3), ("-1", 3), ("x", 1), ("2.0", 1)]
    + [(str(2**62), 3), (str(10**30), 3)],
)
def test_pages_and_figures_as_django_counted_them(client, worker, worker2, guoyuan, page, shown):
    """The figures come with the rows (window aggregates); a page past the end or below 1 is the last page
    and one that is no number the first, as Paginator.get_page() has it, with the same figures."""
    client.force_login(worker)
    for i in range(55):
        make_request(
            guoyuan,
            status=["new", "triaged", "in_progress", "referred"][i % 4],
            assignee=worker2 if i % 3 else None,
        )
    now = timezone.now()
    Request.objects.filter(pk__in=Request.objects.order_by("pk").values("pk")[:7]).update(
        due_at=now - datetime.timedelta(hours=1)
    )
    queue = Request.objects.filter(station=guoyuan).queue()
    response = client.get(URL, {} if page is None else {"page": page})
    assert response.status_code == 200
    expected = Paginator(queue.order_by("priority", "due_at", "pk"), 25).get_page(page)
    assert response.context["page"].number == expected.number == shown
    assert [r.pk for r in response.context["page"].object_list] == [r.pk for r in expected.object_list]
    assert response.context["page"].paginator.count == queue.count() == 55
    assert response.context["stats"] == {
        "overdue": queue.filter(status__in=Request.OPEN_STATUSES, due_at__lt=now).count(),
        "unassigned": queue.filter(status__in=Request.OPEN_STATUSES, assignee__isnull=True).count(),
    }
    assert response.context["stats"]["overdue"] == 7
    assert f"{shown} / 3" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("n", [24, 25, 26])
def test_figures_of_a_queue_on_one_page_and_just_longer(client, worker, worker2, guoyuan, n):
    """Up to a page, the figures are counted from the rows; from one row more, by the database: the same
    figures either way, resolved requests awaiting follow-up counted in the total only."""
    now = timezone.now()
    for i in range(n):
        make_request(
            guoyuan,
            status=["new", "triaged", "in_progress", "referred", "resolved"][i % 5],
            assignee=worker2 if i % 3 else None,
            due_at=now + datetime.timedelta(hours=-2 if i % 2 else 2),
            follow_up_due_on=timezone.localdate() if i % 5 == 4 else None,
        )
    client.force_login(worker)
    response = client.get(URL)
    queue = Request.objects.filter(station=guoyuan).queue()
    open_ = queue.filter(status__in=Request.OPEN_STATUSES)
    assert response.context["page"].paginator.count == queue.count() == n
    assert len(response.context["page"].object_list) == min(n, 25)
    assert response.context["stats"] == {
        "overdue": open_.filter(due_at__lt=now).count(),
        "unassigned": open_.filter(assignee__isnull=True).count(),
    }
    assert response.context["stats"]["overdue"] > 0 and response.context["stats"]["unassigned"] > 0
    assert ("1 / 2" in response.content.decode()) == (n > 25)


@pytest.mark.django_db
@pytest.mark.parametrize("page", [None, "2"])
def test_an_empty_queue_has_one_empty_page_and_zero_figures(client, worker, guoyuan, page):
    client.force_login(worker)
    response = client.get(URL, {} if page is None else {"page": page})
    assert response.context["page"].number == 1 and not response.context["page"].object_list
    assert response.context["page"].paginator.count == 0
    assert response.context["stats"] == {"overdue": 0, "unassigned": 0}
    assert "队列已清空" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["worker", "district_user", "city_user"])
def test_choice_lists_read_as_values_label_as_the_models_do(request, guoyuan, worker2, role):
    """The lists are read as (pk, label) values, not objects: each label is what str() of the object in
    the field's (scoped) queryset writes, in the queryset's order, and a chosen value still filters."""
    user = request.getfixturevalue(role)
    make_request(guoyuan)  # the default categories, with their parents
    nameless = f.make_user("nameless", station=guoyuan)
    type(nameless).objects.filter(pk=nameless.pk).update(name="")  # shown by username
    filterset = RequestFilter({}, queryset=Request.objects.all(), user=user)
    fields = filterset.form.fields
    # District and city users pick a community after a street (the step picker): their first step is
    # the street (district users) or the district (city users).
    steps = {"worker": ["community"], "district_user": ["street"], "city_user": ["district"]}[role]
    names = ["category", "assignee", *steps] + ([] if role == "worker" else ["station"])
    for name in names:
        expected = [(obj.pk, str(obj)) for obj in fields[name].queryset.all()]
        assert filterset.choices(name) == expected and expected
        assert list(fields[name].choices)[1 if name != "assignee" else 2 :] == expected
    assert any(" › " in label for _, label in filterset.choices("category"))
    scope = Community.objects.visible_to(user).order_by("code")
    assert filterset.choices("community_names") == [(c.pk, str(c)) for c in scope] and scope
    if role == "worker":
        assert "nameless" in dict(filterset.choices("assignee")).values()
    child = Category.objects.filter(parent__isnull=False).first()
    chosen = RequestFilter({"category": child.pk}, queryset=Request.objects.all(), user=user)
    assert chosen.form.is_valid() and chosen.form.cleaned_data["category"] == child


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["worker", "district_user", "city_user"])
def test_an_assignee_missing_from_the_list_is_named_with_one_query(
    client, request, guoyuan, worker2, django_assert_max_num_queries, role
):
    """Rows name their assignee from the assignee filter's list; a former worker (inactive, so not in a
    station worker's list) or a user no longer in a station role is read for all rows in one query."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    former = f.make_user("former", station=guoyuan, name="离职社工<b>")
    moved = f.make_user("moved", station=guoyuan, name="")
    rows = [make_request(guoyuan, status="triaged", assignee=a) for a in (former, moved, worker2)]
    type(former).objects.filter(pk=former.pk).update(is_active=False)
    type(moved).objects.filter(pk=moved.pk).update(
        role=type(moved).Role.DISTRICT_STAFF, station=None, district=guoyuan.district_id
    )
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        page = client.get(URL).content.decode()
    assert '<td data-label="承办">离职社工&lt;b&gt;</td>' in _row(page, rows[0])
    assert '<td data-label="承办">moved</td>' in _row(page, rows[1])
    assert f'<td data-label="承办">{worker2.name}</td>' in _row(page, rows[2])
    for _ in range(10):
        make_request(guoyuan, status="triaged", assignee=former)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


# --- the filter form's fields ---------------------------------------------------------------------------

OLD_LOOP = Template(
    """{% for field in form %}{% if field.field.widget.input_type == "checkbox" %}"""
    """<div class="field"><label class="field-inline" for="{{ field.id_for_label }}">{{ field }} """
    """{{ field.label }}</label></div>{% else %}<div class="field">{{ field.label_tag }}{{ field }}"""
    """{{ field.errors }}</div>{% endif %}{% endfor %}"""
)


def _normalised(html) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{}, {"status": "new", "overdue": "on", "reference": '"<x>'}, {"community": "99999", "priority": "9"}],
)
def test_filter_fields_write_what_the_template_loop_wrote(worker, guoyuan, data):
    form = RequestFilter(data, queryset=Request.objects.all(), user=worker).form
    form.is_valid()
    fast = Template("{% load residents_tags %}{% filter_fields form %}").render(Context({"form": form}))
    assert _normalised(fast) == _normalised(OLD_LOOP.render(Context({"form": form})))
    if "community" in data:
        assert 'class="errorlist"' in fast


@pytest.mark.parametrize("value", [None, "", "甲 & <乙>", '"引号"'])
def test_fast_inputs_write_what_django_writes(value):
    attrs = {"type": "search", "placeholder": "受理编号", "maxlength": 24}
    fast = FastTextInput(attrs=attrs).render("reference", value, {"id": "id_reference"})
    slow = forms.TextInput(attrs=attrs).render("reference", value, {"id": "id_reference"})
    assert _normalised(fast) == _normalised(slow)
    for checked in (True, False, None, "on"):
        fast = FastCheckboxInput().render("overdue", checked, {"id": "id_overdue"})
        slow = forms.CheckboxInput().render("overdue", checked, {"id": "id_overdue"})
        assert _normalised(fast) == _normalised(slow)
