"""Print a session cookie (name=value) of a logged-in bench-staff, and the first queue's id, as JSON."""

import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        from helpdesk.models import Queue, Ticket

        user = get_user_model().objects.get(username="bench-staff")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        queue = Queue.objects.order_by("pk").first()
        open_statuses = (Ticket.OPEN_STATUS, Ticket.REOPENED_STATUS)
        out = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "queue": queue.pk,
            "tickets": Ticket.objects.count(),
            "open": Ticket.objects.filter(status__in=open_statuses).count(),
            "queue_open": Ticket.objects.filter(queue=queue, status__in=open_statuses).count(),
        }
        self.stdout.write(json.dumps(out))
