import datetime

import pytest

from tests.partners import factories as pf
from tests.residents.factories import id_number, make_resident

BORN = datetime.date(1944, 5, 2)


@pytest.fixture
def resident(chaoyangli):
    """张桂兰, 81, of 朝阳里 (果园新村): a full ID number, phone and address to look for on the slips."""
    return make_resident(
        chaoyangli,
        name="张桂兰",
        gender="F",
        birth_date=BORN,
        id_number=id_number(BORN, gender="F", seq=7),
        phone="13820135678",
        address="朝阳里3号楼2门401",
    )


@pytest.fixture
def partner(guoyuan):
    return pf.make_partner(guoyuan)


@pytest.fixture
def referred(worker, chaoyangli, resident, partner):
    request = pf.make_request(worker, chaoyangli, resident=resident)
    return pf.refer(worker, request, partner)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()
