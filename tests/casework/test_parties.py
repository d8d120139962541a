"""Related persons (相关人员) on a case: its workers edit and remove them (a timeline entry each, optimistic
locking), the client is never a party, and another case's party (a forged id) is a 404."""

import pytest
from django.urls import reverse

from casework import services
from casework.models import CaseEvent, CaseParty
from stations.locking import STALE_MESSAGE
from tests import factories as f
from tests.casework.factories import make_case, make_supervisor
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return make_case(guoyuan, make_resident(chaoyangli, name="刘小雨"), worker2)


@pytest.fixture
def party(case, worker2):
    return services.add_case_party(
        acting_user=worker2, case=case, relation="父亲", name="刘建国", is_guardian=True
    )


def _edit_url(party):
    return reverse("casework:case-party-edit", args=[party.case_id, party.pk])


def _remove_url(party):
    return reverse("casework:case-party-remove", args=[party.case_id, party.pk])


def test_a_worker_edits_a_party_and_the_timeline_says_so(client, case, party, worker2):
    client.force_login(worker2)
    page = client.get(_edit_url(party))
    assert page.status_code == 200 and 'value="刘建国"' in page.content.decode()
    data = {"name": "刘建国", "relation": "父亲", "phone": "13820001234", "note": "在外地务工", "version": 1}
    response = client.post(_edit_url(party), data)
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    party.refresh_from_db()
    saved = (party.phone, party.note, party.is_guardian, party.version)
    assert saved == ("13820001234", "在外地务工", False, 2)
    event = case.events.filter(kind=CaseEvent.Kind.NOTE).latest("pk")
    assert event.text == "修改相关人员：刘建国，父亲（监护人） → 刘建国，父亲"
    # Reopened: the page shows what was saved.
    assert 'value="13820001234"' in client.get(_edit_url(party)).content.decode()


def test_a_stale_edit_is_refused_and_nothing_changes(client, case, party, worker, worker2):
    services.update_case_party(acting_user=worker, party=party, version=1, relation="父亲", name="刘建国")
    client.force_login(worker2)
    response = client.post(_edit_url(party), {"name": "刘大国", "relation": "叔叔", "version": 1})
    assert response.status_code == 400 and STALE_MESSAGE in response.content.decode()
    party.refresh_from_db()
    assert (party.name, party.relation) == ("刘建国", "父亲")


def test_the_client_cannot_become_a_party_by_editing(client, case, party, worker2):
    with pytest.raises(services.CaseworkError, match="不能是服务对象本人"):
        services.update_case_party(
            acting_user=worker2, party=party, version=1, relation="本人", resident=case.client
        )
    # Through the page, the client is not among the choices: the form refuses it.
    client.force_login(worker2)
    data = {"resident": case.client_id, "relation": "本人", "version": 1}
    assert client.post(_edit_url(party), data).status_code == 400
    party.refresh_from_db()
    assert party.resident_id is None and party.name == "刘建国"


def test_a_worker_removes_a_party_with_a_timeline_event(client, case, party, worker2):
    client.force_login(worker2)
    assert "删除" in client.get(case.get_absolute_url()).content.decode()
    response = client.post(_remove_url(party), {"version": 1})
    assert response.status_code == 302
    assert not CaseParty.objects.filter(pk=party.pk).exists()
    assert case.events.filter(text="删除相关人员：刘建国，父亲（监护人）").exists()
    # The client is the case's, not a party: still there.
    case.refresh_from_db()
    assert case.client.name == "刘小雨"


def test_a_removal_without_the_version_removes_nothing(client, case, party, worker2):
    client.force_login(worker2)
    assert client.post(_remove_url(party), {}).status_code == 302
    assert CaseParty.objects.filter(pk=party.pk).exists()


def test_another_cases_party_is_a_404_through_this_case(client, guoyuan, chaoyangli, case, party, worker2):
    other = make_case(guoyuan, make_resident(chaoyangli, name="孙秀英"), worker2)
    forged_edit = reverse("casework:case-party-edit", args=[other.pk, party.pk])
    forged_remove = reverse("casework:case-party-remove", args=[other.pk, party.pk])
    client.force_login(worker2)
    assert client.get(forged_edit).status_code == 404
    assert client.post(forged_edit, {"name": "x", "relation": "y", "version": 1}).status_code == 404
    assert client.post(forged_remove, {"version": 1}).status_code == 404
    party.refresh_from_db()
    assert party.name == "刘建国"


def test_outsiders_neither_edit_nor_remove(client, guoyuan, case, party, other_worker, district_user):
    colleague = f.make_user("st-120113001-9", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    for outsider in (colleague, other_worker):
        client.force_login(outsider)
        assert client.get(_edit_url(party)).status_code == 404
        assert client.post(_remove_url(party), {"version": 1}).status_code == 404
    client.force_login(make_supervisor(district_user))  # reads the case, works none of it
    assert client.get(_edit_url(party)).status_code == 403
    assert client.post(_remove_url(party), {"version": 1}).status_code == 403
    assert CaseParty.objects.filter(pk=party.pk).exists()


def test_a_closed_case_keeps_its_parties(case, party, worker2):
    case.stage = case.Stage.CLOSED
    case.save(update_fields=["stage"])
    with pytest.raises(services.CaseworkError, match="不能再修改"):
        services.remove_case_party(acting_user=worker2, party=party, version=1)
    assert CaseParty.objects.filter(pk=party.pk).exists()
