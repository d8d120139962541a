"""Plain helpers for residents and requests in tests."""

import datetime
import itertools

from residents.models import Resident
from residents.validators import id_check_char
from tests.factories import category, ensure_default_data, make_request  # noqa: F401  (moved there)

_seq = itertools.count(1)


def id_number(born=datetime.date(1950, 3, 8), region="120113", gender="F", seq=None):
    """A valid 身份证号 (GB 11643 check digit) for the given birth date and gender."""
    seq = next(_seq) if seq is None else seq
    order = (seq * 2 + (1 if gender == "M" else 0)) % 1000
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def make_resident(community, name="张桂兰", **fields):
    resident = Resident(community=community, name=name, **fields)
    resident.save()
    return resident
