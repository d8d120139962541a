"""The physical limit of the queue page: one indexed query for a station's 25 most pressing open requests.

`queue_baseline` goes through everything any page of SWS pays for (session, user, the layout with its
navigation) plus that single query; it is the yardstick each page's time is divided by, so the figures hold
on a noisy machine. `queue_baseline_bare` drops the layout too, for information.
"""

from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines

from residents.models import Request
from stations import access

QUEUE_SIZE = 25
TEMPLATES = Path(__file__).parent / "templates" / "bench"


@cache
def _template(name):
    # Loaded from bench/ directly so the bench app need not be installed (tests use sws.test_settings).
    return engines["django"].from_string((TEMPLATES / name).read_text(encoding="utf-8"))


def _queue_rows(user):
    return list(
        Request.objects.visible_to(user)
        .open()
        .order_by("priority", "due_at")
        .only("pk", "reference", "priority", "status", "due_at")[:QUEUE_SIZE]
    )


@login_required
@access.role_required(access.is_station_user)
def queue_baseline(request):
    context = {"requests": _queue_rows(request.user)}
    return HttpResponse(_template("baseline.html").render(context, request))


@login_required
@access.role_required(access.is_station_user)
def queue_baseline_bare(request):
    context = {"requests": _queue_rows(request.user)}
    return HttpResponse(_template("baseline_bare.html").render(context, request))
