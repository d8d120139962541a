"""The reference-list cache (stations/reference.py): lists are shared within a scope only, and any change
to what they are built from shows on the next view, in the queue's options and in its filter form."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import Category
from stations import access, reference
from stations.models import Community, Street, User
from tests import factories as f

QUEUE = reverse("residents:request-queue")


def _built(user, calls):
    """Lists under `user`'s key, counting how often they were built."""

    def build(name):
        def builder():
            calls.append(name)
            return [(1, name)]

        return builder

    return reference.lists(reference.key(user), {"a": build("a"), "b": build("b")})


@pytest.mark.django_db
def test_lists_are_built_once_per_scope_and_generation(worker, worker2, other_worker):
    calls = []
    assert _built(worker, calls) == {"a": [(1, "a")], "b": [(1, "b")]}
    assert calls == ["a", "b"]
    _built(worker2, calls)  # the same station: the same lists, from the cache
    assert calls == ["a", "b"]
    _built(other_worker, calls)  # another station: its own
    assert calls == ["a", "b", "a", "b"]


@pytest.mark.django_db
def test_scope_key_names_what_visible_to_returns(
    worker, worker2, other_worker, district_user, other_district_user, city_user, admin_user
):
    assert access.scope_key(worker) == access.scope_key(worker2) == f"station:{worker.station_id}"
    assert access.scope_key(other_worker) != access.scope_key(worker)
    assert access.scope_key(district_user) == f"district:{district_user.district_id}"
    assert access.scope_key(other_district_user) != access.scope_key(district_user)
    assert access.scope_key(city_user) == access.scope_key(admin_user) == "city"
    worker.is_active = False
    assert access.scope_key(worker) == "none"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda station: Category.objects.create(name="新分类"),
        lambda station: Community.objects.filter(street__station=station).first().delete(),
        lambda station: Street.objects.filter(station=station).first().save(),
        lambda station: station.save(),
        lambda station: f.make_user("newcomer", User.Role.STATION_WORKER, station=station),
    ],
    ids=["category created", "community deleted", "street saved", "station saved", "worker added"],
)
def test_a_change_to_a_tracked_model_starts_a_new_generation(worker, change):
    before = reference.key(worker)
    change(worker.station)
    assert reference.key(worker) != before


@pytest.mark.django_db
def test_a_login_does_not_rebuild_the_lists(client, worker):
    before = reference.key(worker)
    client.force_login(worker)  # writes last_login only
    assert reference.key(worker) == before
    worker.name = "徐芃泽（站长）"
    worker.save()
    assert reference.key(worker) != before


# Every app's tables flushed after it (auditlog's entries reference users).
@pytest.mark.django_db(transaction=True, available_apps=f.installed_app_names())
def test_a_new_generation_again_when_the_change_commits(worker):
    """Another request may build the lists between the change and its commit, from the rows before it:
    what it stored must not be read after the commit."""
    with transaction.atomic():
        Category.objects.create(name="新分类")
        during = reference.key(worker)
    assert reference.key(worker) != during


@pytest.mark.django_db
def test_bulk_writes_call_changed(worker):
    before = reference.key(worker)
    Community.objects.filter(street__station=worker.station).update(name="改名社区居委会")  # no signal
    assert reference.key(worker) == before
    reference.changed()
    assert reference.key(worker) != before


def _options(response, name):
    html = response.content.decode()
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


@pytest.mark.django_db
def test_the_queue_shows_a_new_community_category_and_worker_at_once(client, worker, guoyuan):
    client.force_login(worker)
    client.get(QUEUE)  # lists and filter form cached
    street = Street.objects.get(station=guoyuan)
    f.make_community("120113001099", "新建社区居委会", street)
    Category.objects.create(name="新分类")
    f.make_user("newcomer", User.Role.STATION_WORKER, station=guoyuan, name="新社工")
    response = client.get(QUEUE)
    assert "新建" in _options(response, "community")
    assert "新分类" in _options(response, "category")
    assert "新社工" in _options(response, "assignee")


@pytest.mark.django_db
def test_the_queue_reads_cached_lists_and_form_without_queries(client, worker, guoyuan):
    client.force_login(worker)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as warm:
        first = client.get(QUEUE)
    reference.changed()
    with CaptureQueriesContext(connection) as cold:
        second = client.get(QUEUE)
    # Session, user and the rows; cold, the categories, communities and workers too.
    assert len(warm.captured_queries) == 3
    assert len(cold.captured_queries) == 6
    assert _options(first, "community") == _options(second, "community")


@pytest.mark.django_db
def test_stations_do_not_share_their_lists(client, worker, other_worker):
    client.force_login(worker)
    ours = _options(client.get(QUEUE), "community")
    client.force_login(other_worker)
    theirs = _options(client.get(QUEUE), "community")
    assert "朝阳里" in ours and "朝阳里" not in theirs
    assert "泰来西里" in theirs and "泰来西里" not in ours


@pytest.mark.django_db
def test_districts_do_not_share_their_station_lists(
    client, district_user, other_district_user, guoyuan, guangkai
):
    client.force_login(district_user)
    ours = _options(client.get(QUEUE), "station")
    client.force_login(other_district_user)
    theirs = _options(client.get(QUEUE), "station")
    assert guoyuan.name in ours and guoyuan.name not in theirs
    assert guangkai.name in theirs and guangkai.name not in ours


@pytest.mark.django_db
def test_a_chosen_filter_is_shown_selected_not_the_cached_form(client, worker, chaoyangli):
    client.force_login(worker)
    client.get(QUEUE)  # the default form cached
    response = client.get(QUEUE, {"community": chaoyangli.pk})
    assert f'<option value="{chaoyangli.pk}" selected>' in _options(response, "community")
    assert f'<option value="{chaoyangli.pk}">' in _options(client.get(QUEUE), "community")


@pytest.mark.django_db
def test_the_cached_form_follows_the_language(client, worker):
    client.force_login(worker)
    assert '<label for="id_status">状态：</label>' in client.get(QUEUE).content.decode()
    client.cookies["django_language"] = "en"
    assert '<label for="id_status">状态:</label>' in client.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_a_forged_community_outside_the_scope_is_still_refused(client, worker, tailaixili, guoyuan):
    """The options come from the cache; a submitted value is still looked up in the scoped queryset."""
    from tests.factories import make_request

    make_request(guoyuan)
    client.force_login(worker)
    client.get(QUEUE)
    response = client.get(QUEUE, {"community": tailaixili.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and "泰来西里" not in html


def test_the_local_store_keeps_every_scopes_lists_and_forms():
    """Without Redis the store is local memory, which culls keys past its MAX_ENTRIES: it must hold the
    lists and the filter form in both languages of every scope of the city (249 stations, 16 districts,
    the city) at once, or a busy morning rebuilds them over and over."""
    from django.core.cache import caches

    cache = caches["reference"]
    keys = {f"{kind}:{scope}": scope for kind in ("lists", "form-zh", "form-en") for scope in range(266)}
    cache.set_many(keys)
    assert cache.get_many(list(keys)) == keys
