"""Settings for benchmark runs: the production settings (DEBUG off, cached templates) plus the baseline URL.

Only what a benchmark on 127.0.0.1 needs differs from production: no HTTPS redirect or secure-only cookies
(the Django test client and wrk speak plain HTTP), the test client's host name, and static files without a
collectstatic manifest. Never use these settings to serve real users.
"""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("PERSONAL_DATA_KEY", "bench-only-personal-data-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "false")

from sws.settings import *  # noqa: E402,F403
from sws.settings import STORAGES  # noqa: E402

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# whitenoise warns that STATIC_ROOT has no collected files; the benchmark never serves static files.
warnings.filterwarnings("ignore", message="No directory at")

# Each benchmark login (force_login) would log a line from django-axes; the report is the output.
LOGGING = {**LOGGING, "loggers": {**LOGGING.get("loggers", {}), "axes": {"level": "WARNING"}}}  # noqa: F405
# The benchmark logs in district and municipal staff with force_login: no two-factor step to measure.
SWS_TWO_FACTOR_OPTIONAL = True
