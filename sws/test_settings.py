"""Settings for the test suite: production settings (DEBUG off) with fast hashing and no HTTPS redirect."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("PERSONAL_DATA_KEY", "test-only-personal-data-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "false")

from sws.settings import *  # noqa: E402,F403
from sws.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Attachments go to the temporary folder, never into the project (tests that look at files set their own).
STORAGES["attachments"] = {
    "BACKEND": "attachments.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": os.path.join(tempfile.gettempdir(), "sws-test-attachments")},
}
# Serve static files from the app folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
LANGUAGE_COOKIE_SECURE = False
# The role policy's two-factor requirement is off, so the suite's login helpers (and the browser tests)
# log in with a password alone; tests of two-factor login turn it back on (settings fixture).
SWS_TWO_FACTOR_OPTIONAL = True
# Tasks run in-process (no CELERY_BROKER_URL) and a task's error fails the test that ran it. The broker
# test (tests/notifications/test_worker_crash.py) starts real workers with CELERY_BROKER_URL set.
CELERY_TASK_EAGER_PROPAGATES = True
# The demo's SMS files go to the temporary folder, never into the project (tests set their own folder).
SMS_FILE_DIR = os.environ.get("SMS_FILE_DIR", os.path.join(tempfile.gettempdir(), "sws-test-sms"))
# The in-memory SQLite test database, named as such: pytest-django gives each xdist worker (`make pytest`
# runs two) its own database by renaming it, unless it is in memory, and it does not recognise
# django-prometheus's wrapper as SQLite.
if DATABASES["default"]["ENGINE"].endswith(".sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
