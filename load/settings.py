"""Settings for the load and fault runs (load/run.py): production settings on plain HTTP at 127.0.0.1.

What differs from production is only what a run on loopback needs: no HTTPS redirect or secure-only
cookies (locust speaks plain HTTP), static files without a collectstatic manifest (the users fetch pages,
not assets), persistent database connections with their health check (as production should run them),
and quieter logs. REDIS_URL must be set: the two app processes share the cache and the sessions there.
Never use these settings to serve real users.
"""

import os
import warnings

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CONN_MAX_AGE", "60")  # keep connections: CONN_HEALTH_CHECKS is what a restart tests

from sws.settings import *  # noqa: E402,F403
from sws.settings import CACHES, LOGGING, STORAGES  # noqa: E402

if "redis" not in CACHES["default"]["BACKEND"].lower():
    raise RuntimeError("load.settings needs REDIS_URL: two app processes share sessions through Redis.")

ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# whitenoise warns that STATIC_ROOT has no collected files; no static file is requested here.
warnings.filterwarnings("ignore", message="No directory at")

# One line per login from django-axes would bury the run's own output; errors still print.
LOGGING = {**LOGGING, "loggers": {**LOGGING.get("loggers", {}), "axes": {"level": "WARNING"}}}
