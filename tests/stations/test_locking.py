"""The one optimistic lock (`stations.locking`): what it refuses, with its one message, and that it writes
nothing then."""

import pytest

from residents.models import Request
from stations import locking
from tests.residents.factories import make_request


@pytest.mark.parametrize("expected", [None, "", "x", 1, "1"])
def test_check_refuses_a_missing_unreadable_or_old_version(expected):
    with pytest.raises(locking.StaleVersionError) as error:
        locking.check(expected, 2)
    assert error.value.messages == [locking.STALE_MESSAGE] and error.value.code == "stale"


def test_check_accepts_the_current_version():
    assert locking.check("2", 2) == 2


@pytest.mark.django_db
def test_update_versioned_writes_only_over_the_version_it_was_given(guoyuan):
    request = make_request(guoyuan, description="楼道灯坏了")
    locking.update_versioned(request, 1, description="第一次修改")
    assert request.version == 2 and Request.objects.get(pk=request.pk).version == 2
    with pytest.raises(locking.StaleVersionError):
        locking.update_versioned(request, 1, description="旧稿")
    stored = Request.objects.get(pk=request.pk)
    assert (stored.description, stored.version) == ("第一次修改", 2)
