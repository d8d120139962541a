"""How errors reach people and the console.

- `NotFoundPageMiddleware`: with DEBUG on (the demo), an ordinary "not found" still shows the project's
  Chinese 404 page; Django would show its English technical page, which also lists every URL pattern.
  Developers who want that page set TECHNICAL_404=true. Server errors (500) keep Django's technical page
  with DEBUG on: that is for developers, and the demo runs on their machine.
- `QuietForbiddenFilter`: a 403 (a worker opening a district page, an out-of-role URL) is an everyday
  answer, not a fault; Django logs it as a warning with the PermissionDenied traceback. This filter keeps
  the one line ("Forbidden (Permission denied): /dashboards/district/3/") and drops the traceback. 500s
  keep theirs.
"""

import logging

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404
from django.views.defaults import page_not_found


class QuietForbiddenFilter(logging.Filter):
    def filter(self, record):
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True


def _friendly() -> bool:
    return settings.DEBUG and not getattr(settings, "TECHNICAL_404", False)


class NotFoundPageMiddleware:
    """Put last in MIDDLEWARE: it answers after sessions, users and messages are set up (the page uses
    them), and inside CommonMiddleware, which still turns a 404 for `/login` into a redirect to `/login/`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None and _friendly():
            # No URL matched: Django answered with its technical page before any view ran, where
            # process_exception cannot see it. Only such an answer is replaced; no URL is resolved again.
            return page_not_found(request, Resolver404({"path": request.path_info}))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and _friendly():
            return page_not_found(request, exception)
        return None
