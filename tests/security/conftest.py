"""Fixtures of the security tests: an auditor, residents and requests, and a way to log in for real
(through the login form, so that the lockout, the session clocks and the two-factor step all run)."""

import re

import pytest
from django.core.cache import cache

from residents.models import Resident
from residents.validators import id_check_char
from stations.models import User
from tests import factories as f

PASSWORD = "Sws-test-2026"  # tests/factories.make_user's password


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def auditor(db):
    return f.make_user("auditor", User.Role.AUDITOR, name="审计员")


def id_number(seq=1, region="120113", born="19500308"):
    first17 = f"{region}{born}{seq:03d}"
    return first17 + id_check_char(first17)


def make_resident(community, name="张桂兰", **fields):
    return Resident.objects.create(community=community, name=name, **fields)


def login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def without_csrf(html: str) -> str:
    """A page's HTML without its per-request CSRF tokens, to compare two answers."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
