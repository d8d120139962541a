import pytest

from tests.residents.factories import make_resident


@pytest.fixture
def resident(chaoyangli):
    """张桂兰, 81, living alone in 朝阳里 (果园新村)."""
    import datetime

    from tests.residents.factories import id_number

    return make_resident(
        chaoyangli,
        name="张桂兰",
        gender="F",
        birth_date=datetime.date(1944, 5, 2),
        id_number=id_number(datetime.date(1944, 5, 2), gender="F", seq=7),
        phone="13820135678",
    )


@pytest.fixture
def far_resident(hualinyuan):
    return make_resident(hualinyuan, name="刘建国", phone="13900001111")


@pytest.fixture
def neighbour_resident(tailaixili):
    """A resident of 集贤里 station: same district, another station."""
    return make_resident(tailaixili, name="王秀英", phone="13900002222")
