"""The queue row has one readable source, templates/residents/_queue_row.html; the page writes it through
the fast path `QueueRows.write`. Over a spread of rows (every status and priority, overdue, follow-up due,
masked and unmasked residents, with, without and with a former assignee, quick-action outcomes, read-only
users, English and Chinese, hostile text in every field) the two write the same bytes."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from residents.filters import RequestFilter
from residents.models import Category, Request, Severity, Urgency
from residents.queue_rows import QueueRows
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import make_resident

# Each get_token() call masks the one secret anew; the tokens' validity is tested where forms are posted
# (test_queue_rows.py, test_queue.py).
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
HOSTILE = "<script>alert(\"x\")</script> & 'q'"


@pytest.fixture
def spread(guoyuan, chaoyangli, worker2):
    """Requests of every status and priority, some overdue, some about a minor or a resident with a
    sensitive tag, some assigned (one to a former worker), and hostile text in every text field."""
    now, today = timezone.now(), timezone.localdate()
    chaoyangli.name = f"{HOSTILE}社区居委会"
    chaoyangli.save()
    parent = Category.objects.create(name=f"<b>{HOSTILE}</b>")
    odd_category = Category.objects.create(name="<i>分类</i>", parent=parent)
    former = f.make_user("former", station=guoyuan, name=f"离职{HOSTILE}")
    child = make_resident(chaoyangli, name="王小明", birth_date=datetime.date(today.year - 9, 3, 1))
    tagged = make_resident(chaoyangli, name="刘建华", birth_date=datetime.date(1960, 1, 1))
    tagged.tags.create(code="sensitive-partial", name="敏感", sensitive=True)
    plain = make_resident(chaoyangli, name="张桂兰", birth_date=datetime.date(1950, 1, 1))
    assignees = [None, worker2, former]
    residents = [None, child, tagged, plain]
    statuses = [value for value, _ in Request.Status.choices]
    levels = [(s, u) for s in Severity.values for u in Urgency.values]  # the four priorities
    requests = []
    for i, status in enumerate(statuses * 2):
        severity, urgency = levels[i % len(levels)]
        request = make_request(
            guoyuan,
            chaoyangli,
            resident=residents[i % len(residents)],
            reporter_name=f"{HOSTILE}{i}",
            severity=severity,
            urgency=urgency,
            status=status,
            assignee=assignees[i % len(assignees)],
        )
        # Half overdue; and one resolved request with no follow-up date.
        due_at = now + datetime.timedelta(hours=-5 if i % 2 == 0 else 40)
        # Follow-up due for the first resolved request, not yet for others, none for the second resolved one.
        changes = {"due_at": due_at, "follow_up_due_on": today + datetime.timedelta(days=-1 if i < 8 else 3)}
        if i % 5 == 0:
            changes["category"] = odd_category
        if status == Request.Status.RESOLVED and i >= len(statuses):
            changes["follow_up_due_on"] = None
        Request.objects.filter(pk=request.pk).update(**changes)
        requests.append(request)
    type(former).objects.filter(pk=former.pk).update(is_active=False)  # not in the workers' list any more
    return Request.objects.filter(pk__in=[r.pk for r in requests]).order_by("priority", "due_at", "pk")


def _writer(user, requests, *, next_url):
    """What the queue view builds for `user` (residents/views_requests.py:request_queue)."""
    http_request = RequestFactory().get(next_url)
    http_request.user = user
    filterset = RequestFilter(None, queryset=requests, user=user)
    can_act = user.role in (user.Role.STATION_WORKER, user.Role.STATION_HEAD)
    writer = QueueRows(
        http_request,
        can_act=can_act,
        workers=filterset.choices("assignee") if can_act else (),
        next_url=next_url,
        categories=filterset.choices("category"),
        communities=filterset.choices("community_names"),
        assignees=filterset.choices("assignee"),
    )
    return writer, http_request


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ["worker", "worker2", "district_user"])
def test_the_fast_path_writes_the_bytes_of_the_partial(request, spread, role, language):
    user = request.getfixturevalue(role)
    seen = {"statuses": set(), "priorities": set(), "forms": set(), "parts": set()}
    with translation.override(language):
        writer, http_request = _writer(user, spread, next_url=f'/residents/requests/?q="><b>{HOSTILE}')
        rows = list(QueueRows.columns(spread))
        writer.read_assignees(rows)
        outcomes = [{}, {"error": f"{HOSTILE}已被他人修改"}, {"done": f"已研判{HOSTILE}"}]
        for i, r in enumerate(rows):
            row = writer.context(r, **outcomes[i % len(outcomes)])
            partial = render_to_string("residents/_queue_row.html", {"row": row}, request=http_request)
            assert TOKEN.sub("", writer.write(row)) == TOKEN.sub("", partial)
            assert "<script>" not in partial and "<b>" not in partial and "<i>" not in partial
            seen["statuses"].add(r.status)
            seen["priorities"].add(r.priority)
            seen["forms"] |= {form["action"] for form in row.get("forms", ())}
            seen["parts"] |= {
                part
                for part in (
                    "is-overdue",
                    "未指派",
                    "待回访",
                    "errorlist",
                    "badge-ok",
                    "**",
                    "离职",
                    "csrfmiddlewaretoken",
                )
                if part in partial
            }
        # The whole page's rows are the rows one by one.
        page = writer.render(rows)
        assert page == "".join(writer.write(writer.context(r)) for r in rows)
    # The spread was what it says.
    assert seen["statuses"] == set(Request.Status.values)
    assert seen["priorities"] == {1, 2, 3, 4}
    expected_parts = {"is-overdue", "未指派", "待回访", "errorlist", "badge-ok", "离职"}
    if role != "worker":  # not a head, no view_sensitive_resident: the minor and the tagged resident masked
        expected_parts.add("**")
    if role != "district_user":  # district users read only: no forms
        expected_parts.add("csrfmiddlewaretoken")
        assert seen["forms"] == set(QueueRows.QUICK_ACTIONS)
    else:
        assert not seen["forms"]
    assert seen["parts"] == expected_parts


@pytest.mark.django_db
def test_the_rows_urls_are_what_reverse_writes(worker, spread):
    """The fast path reverses each route once per page (for a placeholder pk); every row's links and
    form actions are still those of reverse()."""
    writer, _ = _writer(worker, spread, next_url="/residents/requests/")
    for r in QueueRows.columns(spread):
        row = writer.context(r)
        assert row["case_url"] == reverse("residents:request-detail", args=[r.pk]) == r.get_absolute_url()
        for form in row["forms"]:
            assert form["url"] == reverse(f"residents:request-{form['action']}", args=[r.pk])
