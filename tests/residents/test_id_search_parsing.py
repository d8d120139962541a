"""14.12a: an ID number written with spaces, hyphens or full-width digits is still a whole ID number:
refused from a search (which travels in the URL) and found by the posted exact lookup."""

import datetime

import pytest
from django.urls import reverse

from residents.validators import contains_id_number, normalise_id_number, validate_id_number
from tests.residents.factories import id_number, make_resident

pytestmark = pytest.mark.django_db

LIST = reverse("residents:resident-list")
NUMBER = "120104195911020485"
WRITTEN = [
    "120104 19591102 0485",
    "120104-19591102-0485",
    "120104－19591102－0485",
    "１２０１０４　１９５９１１０２　０４８５",
    "120104—19591102—0485",
    "1201 0419 5911 0204 85",
    "张 120104-19591102-0485",
]


@pytest.mark.parametrize("term", WRITTEN)
def test_a_separated_id_number_is_recognised(term):
    assert contains_id_number(term)


@pytest.mark.parametrize("term", ["张桂兰", "0485", "13812345678", "022-26391234", "120104"])
def test_ordinary_search_terms_are_not_id_numbers(term):
    assert not contains_id_number(term)


@pytest.mark.parametrize("term", WRITTEN[:-1])
def test_a_separated_id_number_normalises_to_the_whole_number(term):
    assert normalise_id_number(term) == NUMBER
    assert validate_id_number(term) == NUMBER


@pytest.mark.parametrize("term", WRITTEN)
def test_the_list_search_refuses_it_and_drops_it_from_the_address(client, worker, term):
    client.force_login(worker)
    response = client.get(LIST, {"q": term})
    assert response.status_code == 302
    assert "q=" not in response.url
    assert "完整身份证号不能用于搜索框" in client.get(response.url).content.decode()


@pytest.mark.parametrize("term", WRITTEN[:2])
def test_the_intake_live_search_refuses_it(client, worker, term):
    client.force_login(worker)
    response = client.get(reverse("residents:resident-search"), {"q": term}, headers={"HX-Request": "true"})
    assert "完整身份证号请点“搜索”按钮查找" in response.content.decode()


def test_the_posted_lookup_finds_a_separated_number(client, worker, chaoyangli):
    number = id_number(datetime.date(1959, 11, 2), gender="F", seq=48)
    resident = make_resident(chaoyangli, name="王淑珍", id_number=number)
    client.force_login(worker)
    written = f"{number[:6]}-{number[6:14]}-{number[14:]}"
    response = client.post(reverse("residents:resident-lookup"), {"id_number": written})
    assert response.status_code == 302 and response.url == resident.get_absolute_url()
