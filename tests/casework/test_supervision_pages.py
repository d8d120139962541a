"""The supervision pages: the review queue's lists and counts, a note from the case page, recording a
session (two steps), its page and an action item done; who gets what; bounded query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Case, CaseEvent, SupervisionSession
from tests.casework.factories import CASE_PAGE_QUERIES
from tests.casework.super_factories import a_case, designate, pending_closure, submitted_plan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def supervisor(district_user):
    return designate(district_user)


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return a_case(guoyuan, chaoyangli, worker2, risk="high")


def _queue_world(guoyuan, chaoyangli, worker, worker2, n=1, batch=""):
    """n of each kind the queue lists, and as many that it must leave out."""
    for i in range(n):
        ref = f"{batch}{i}"
        closing = a_case(guoyuan, chaoyangli, worker2, name=f"结{i}", stage="closing", reference=f"Q-C-{ref}")
        pending_closure(closing, worker2, worker)
        planning = a_case(
            guoyuan, chaoyangli, worker2, name=f"计{i}", stage="planning", reference=f"Q-P-{ref}"
        )
        submitted_plan(planning, worker2, days_ago=10)
        fresh = a_case(guoyuan, chaoyangli, worker2, name=f"新{i}", stage="planning", reference=f"Q-F-{ref}")
        submitted_plan(fresh, worker2, days_ago=1)  # not waiting long: left out
        a_case(guoyuan, chaoyangli, worker2, name=f"高{i}", risk="high", reference=f"Q-H-{ref}")
        noted = a_case(guoyuan, chaoyangli, worker2, name=f"注{i}", risk="high", reference=f"Q-N-{ref}")
        CaseEvent.objects.create(case=noted, kind=CaseEvent.Kind.SUPERVISION, text="已督导")
        a_case(
            guoyuan,
            chaoyangli,
            worker2,
            name=f"检{i}",
            reference=f"Q-R-{ref}",
            review_due_on=TODAY() - datetime.timedelta(days=3),
        )


def test_the_review_queue_lists_what_needs_the_supervisor(
    client, supervisor, guoyuan, chaoyangli, worker, worker2
):
    _queue_world(guoyuan, chaoyangli, worker, worker2)
    queue = services.review_queue(supervisor)
    refs = {
        key: [row.case.reference if hasattr(row, "case") else row.reference for row in v["rows"]]
        for key, v in queue.items()
    }
    assert refs == {
        "closures": ["Q-C-0"],
        "plans": ["Q-P-0"],
        "unsupervised": ["Q-H-0"],
        "overdue_reviews": ["Q-R-0"],
    }
    assert {key: v["count"] for key, v in queue.items()} == dict.fromkeys(refs, 1)
    client.force_login(supervisor)
    page = client.get(reverse("casework:review-queue")).content.decode()
    for reference in ("Q-C-0", "Q-P-0", "Q-H-0", "Q-R-0"):
        assert reference in page
    assert "Q-F-0" not in page and "Q-N-0" not in page


def test_another_districts_supervisor_sees_an_empty_queue(
    other_district_user, guoyuan, chaoyangli, worker, worker2
):
    _queue_world(guoyuan, chaoyangli, worker, worker2)
    queue = services.review_queue(designate(other_district_user))
    assert {key: v["count"] for key, v in queue.items()} == dict.fromkeys(queue, 0)


def test_the_queue_is_for_supervisors_only(client, district_user, worker, city_user, admin_user):
    url = reverse("casework:review-queue")
    for user in (district_user, worker, city_user, admin_user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_the_queue_answers_in_a_bounded_number_of_queries(
    client, supervisor, guoyuan, chaoyangli, worker, worker2, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("casework:review-queue")
    _queue_world(guoyuan, chaoyangli, worker, worker2, n=1)
    with django_assert_max_num_queries(16) as small:
        client.get(url)
    _queue_world(guoyuan, chaoyangli, worker, worker2, n=4, batch="b")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_note_from_the_case_page(client, supervisor, case):
    client.force_login(supervisor)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "记录督导意见" in page
    response = client.post(reverse("casework:supervision-note", args=[case.pk]), {"text": "请补充安全计划。"})
    assert response.status_code == 302
    page = client.get(case.get_absolute_url()).content.decode()
    assert "请补充安全计划。" in page
    empty = client.post(reverse("casework:supervision-note", args=[case.pk]), {"text": ""})
    assert empty.status_code == 400 and "必填项" in empty.content.decode()
    assert case.events.filter(kind=CaseEvent.Kind.SUPERVISION).count() == 1


def test_the_case_worker_sees_notes_but_no_note_form(client, supervisor, case, worker2):
    services.add_supervision_note(acting_user=supervisor, case=case, text="督导意见一")
    client.force_login(worker2)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "督导意见一" in page and "记录督导意见" not in page
    assert client.post(reverse("casework:supervision-note", args=[case.pk]), {"text": "x"}).status_code == 403


def test_note_outsiders(client, case, district_user, other_district_user, other_worker, city_user):
    url = reverse("casework:supervision-note", args=[case.pk])
    for user in (district_user, designate(other_district_user), other_worker, city_user):
        client.force_login(user)
        assert client.post(url, {"text": "意见"}).status_code == 404
    assert not case.events.exists()


def test_the_case_page_stays_bounded_with_notes_sessions_and_conferences(
    client, supervisor, case, guoyuan, worker, worker2, django_assert_max_num_queries
):
    def add_some():
        services.add_supervision_note(acting_user=supervisor, case=case, text="意见")
        services.record_supervision_session(
            acting_user=supervisor,
            station=guoyuan,
            date=TODAY(),
            form="group",
            topics="主题",
            workers=[worker2],
            cases=[case],
        )
        services.hold_case_conference(
            acting_user=worker2,
            case=case,
            date=TODAY(),
            participants="社工",
            decisions="决定",
            staff=[worker, worker2],
            tasks=[("待办", worker2, TODAY())],
        )

    add_some()
    for user in (supervisor, worker2):
        client.force_login(user)
        with django_assert_max_num_queries(CASE_PAGE_QUERIES) as first:
            client.get(case.get_absolute_url())
        for _ in range(3):
            add_some()
        with django_assert_max_num_queries(len(first.captured_queries)):
            assert client.get(case.get_absolute_url()).status_code == 200


def _session_post(station, workers, cases=(), items=()):
    data = {
        "date": TODAY().isoformat(),
        "form": "on_site",
        "topics": "个案记录规范",
        "workers": [w.pk for w in workers],
        "cases": [c.pk for c in cases],
        "notes": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
    }
    for i, (text, owner, due) in enumerate(items):
        data |= {
            f"items-{i}-text": text,
            f"items-{i}-owner": str(owner.pk),
            f"items-{i}-due_on": due.isoformat(),
        }
    return data


def test_recording_a_session_in_two_steps(client, supervisor, case, guoyuan, jixianli, worker, worker2):
    client.force_login(supervisor)
    url = reverse("casework:session-create")
    pick = client.get(url).content.decode()
    assert guoyuan.name in pick and jixianli.name in pick
    form = client.get(url, {"station": guoyuan.pk}).content.decode()
    assert case.reference in form and worker2.name in form
    due = TODAY() + datetime.timedelta(days=7)
    response = client.post(
        f"{url}?station={guoyuan.pk}", _session_post(guoyuan, [worker2], [case], [("整理档案", worker2, due)])
    )
    session = SupervisionSession.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "casework:session-detail", args=[session.pk]
    )
    assert session.action_items.get().text == "整理档案"
    page = client.get(response.url).content.decode()
    assert "整理档案" in page and case.reference in page


def test_a_session_form_refuses_a_forged_worker_or_a_station_of_another_district(
    client, supervisor, guoyuan, guangkai, other_worker
):
    client.force_login(supervisor)
    url = reverse("casework:session-create")
    response = client.post(f"{url}?station={guoyuan.pk}", _session_post(guoyuan, [other_worker]))
    assert response.status_code == 400 and not SupervisionSession.objects.exists()
    # A station of another district is not offered: the first step again.
    page = client.get(url, {"station": guangkai.pk})
    assert page.status_code == 200 and "选择一个有效的选项" in page.content.decode()


def test_sessions_are_read_by_the_district_and_the_stations_own_staff(
    client, supervisor, guoyuan, worker, worker2, other_worker, far_worker, other_district_user, city_user
):
    due = TODAY() + datetime.timedelta(days=7)
    session = services.record_supervision_session(
        acting_user=supervisor,
        station=guoyuan,
        date=TODAY(),
        form="individual",
        topics="独有主题",
        workers=[worker2],
        action_items=[("改进一", worker2, due)],
    )
    detail = reverse("casework:session-detail", args=[session.pk])
    listing = reverse("casework:session-list")
    for user in (supervisor.__class__.objects.get(pk=supervisor.pk), worker, worker2):
        client.force_login(user)
        assert client.get(detail).status_code == 200
        assert "独有主题" in client.get(listing).content.decode()
    for user in (other_worker, far_worker, other_district_user):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert "独有主题" not in client.get(listing).content.decode()
    client.force_login(city_user)
    assert client.get(listing).status_code == 403


def test_an_action_item_is_marked_done_on_its_page(client, supervisor, guoyuan, worker2, other_worker):
    due = TODAY() + datetime.timedelta(days=7)
    session = services.record_supervision_session(
        acting_user=supervisor,
        station=guoyuan,
        date=TODAY(),
        form="individual",
        topics="主题",
        workers=[worker2],
        action_items=[("改进一", worker2, due)],
    )
    item = session.action_items.get()
    url = reverse("casework:action-item-done", args=[item.pk])
    client.force_login(other_worker)
    assert client.post(url, {"version": item.version}).status_code == 404
    client.force_login(worker2)
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"version": item.version}).status_code == 302
    item.refresh_from_db()
    assert item.done_on == TODAY()
    stale = client.post(url, {"version": item.version - 1}, follow=True).content.decode()
    assert "已被他人修改" in stale


def test_session_pages_are_bounded(
    client, supervisor, guoyuan, worker, worker2, case, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            services.record_supervision_session(
                acting_user=supervisor,
                station=guoyuan,
                date=TODAY(),
                form="group",
                topics="主题",
                workers=[worker, worker2],
                cases=[case],
                action_items=[("事项", worker2, TODAY())] * 2,
            )
        return SupervisionSession.objects.first()

    client.force_login(supervisor)
    session = add(1)
    pages = [reverse("casework:session-list"), reverse("casework:session-detail", args=[session.pk])]
    counts = []
    for url in pages:
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    add(5)
    for url, count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
    assert Case.objects.count() == 1
