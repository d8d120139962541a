"""SWS settings, read from the environment (django-environ).

Everything that differs between a laptop demo and production comes from environment variables or a
`.env` file beside manage.py; see `.env.example`. DEBUG is off unless set, and without DEBUG a real
SECRET_KEY must be given.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from pythonjsonlogger.core import RESERVED_ATTRS

from notifications.schedule import NOTIFICATION_SCHEDULE  # the periodic notification jobs (celery beat)
from sws.storage_settings import attachments_storage  # STORAGES["attachments"] (file system or S3)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")  # ImproperlyConfigured when missing: no default outside DEBUG

# Residents' ID numbers are stored encrypted with keys derived from this secret (residents.crypto): at
# least 32 random characters, kept outside the database and the repository, and backed up with care (a
# lost key loses every stored ID number). Change it only with `manage.py rotate_personal_data_key`.
if DEBUG:
    PERSONAL_DATA_KEY = env("PERSONAL_DATA_KEY", default="dev-only-personal-data-key-never-use-in-production")
else:
    PERSONAL_DATA_KEY = env("PERSONAL_DATA_KEY")  # ImproperlyConfigured when missing: no default, as above

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "sws.admin_site.SWSAdminConfig",  # django.contrib.admin with stations and staff first
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "auditlog",
    "sws.admin_labels.AxesConfig",  # django-axes, named in Chinese in the admin
    "django_otp",
    "sws.admin_labels.TOTPConfig",  # django_otp.plugins.otp_totp, named in Chinese
    "csp",
    "django_prometheus",  # /metrics (sws/health.py): latency by view, database queries
    "django_guid",  # the request id (X-Request-ID) in every log line
    "stations",
    "attachments",  # files of cases, activities, fund entries and projects (imports stations only)
    "residents",
    "projects",
    "notifications",
    "casework",
    "partners",  # 五社联动: partners, consent, partner links, resources used (imports residents, projects)
    "hotline",  # the API for the 12345 hotline and other systems, work orders, Open311 (docs/api.md)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served by the app (no CDN)
    "sws",
    "demo",  # the demo city and `seed_demo`; no product app imports it
    "sws.security",  # after auditlog and axes: its admin replaces theirs
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics: before the HTTPS redirect, sessions, CSRF and login (sws/health.py).
    "sws.health.HealthMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id: nginx's X-Request-ID (a new one when absent), in the logs and the response header.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages gzipped (a district dashboard: 98 → ~15 KiB on a phone's link), with Django's BREACH length
    # randomisation; first among those that touch the body, so it compresses what they leave.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sws.locale.ChosenLanguageMiddleware",  # zh-hans unless the user picked English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified() after a one-time code
    "django.contrib.messages.middleware.MessageMiddleware",
    "sws.security.sessions.SessionLifetimeMiddleware",  # idle timeout and absolute lifetime
    "sws.security.twofactor.TwoFactorRequiredMiddleware",  # code owed → code page first
    "sws.security.twofactor.PasswordChangeRequiredMiddleware",  # password to change → that page first
    "sws.security.middleware.AuditMiddleware",  # who and from where, for every audited change
    "sws.security.middleware.AuditorConfinementMiddleware",  # the auditor: audit pages only (403)
    "sws.security.middleware.EvaluatorConfinementMiddleware",  # an evaluator: her evaluations only (403)
    "sws.security.middleware.NoStoreMiddleware",  # Cache-Control: no-store on personal data
    "csp.middleware.CSPMiddleware",
    "sws.security.middleware.PermissionsPolicyMiddleware",  # no camera, microphone, location …
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the lockout page
    "sws.errors.NotFoundPageMiddleware",  # with DEBUG on, the Chinese 404 page all the same
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: the view's latency and status
]
# With DEBUG on, Django's technical 404 page (URL patterns listed) instead of ours: for developers.
TECHNICAL_404 = env.bool("TECHNICAL_404", default=False)

ROOT_URLCONF = "sws.urls"
WSGI_APPLICATION = "sws.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stations.context_processors.roles",
                "sws.context_processors.navigation",
                "sws.context_processors.list_export_links",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------
# SQLite in the project folder by default (nothing to install); PostgreSQL in production via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# django-prometheus's wrapper of the same backend counts queries and their errors for /metrics.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith(".postgresql"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A PostgreSQL streaming replica for the reads of dashboards, reports and exports (sws/db_router.py,
# docs/deploy.md "Read replica"). Unset: no replica, everything on the primary.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", default="")
if REPLICA_DATABASE_URL:
    if not DATABASES["default"]["ENGINE"].endswith(".postgresql"):
        raise environ.ImproperlyConfigured("REPLICA_DATABASE_URL needs PostgreSQL as DATABASE_URL")
    DATABASES["replica"] = {
        **env.db("REPLICA_DATABASE_URL"),
        **{key: DATABASES["default"][key] for key in ("ENGINE", "ATOMIC_REQUESTS", "CONN_HEALTH_CHECKS")},
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        # Tests use the replica of the primary's test database (tests/replica): same name, its own server.
        "TEST": {"MIRROR": "default"},
    }
    # A replica that does not answer must not hold a page long: the probe marks it down, reads go home.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # After a write the browser reads from the primary for a while (a signed cookie; no query).
    _after = MIDDLEWARE.index("django_guid.middleware.guid_middleware") + 1
    MIDDLEWARE.insert(_after, "sws.db_router.ReadYourWritesMiddleware")
# Reads from the replica only while it is at most this far behind (seconds) …
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
# … measured at most this often per process (seconds; one query on the replica) …
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=3.0)
# … and not for a browser that sent a POST (or another write) in the last this many seconds.
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=10)
DATABASE_ROUTERS = ["sws.db_router.ReplicaRouter"]  # no opinion without a replica
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------
# Local memory for one process; Redis (REDIS_URL) when several app processes must share state.
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
    }
    # Sessions live in the shared cache too, so a user's next request may reach any app process, and a
    # page view reads no session row from PostgreSQL. Give Redis memory enough not to evict them (an
    # evicted session is a logout); load/ runs two app processes this way (docs/load.md).
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The dashboards' figures for months that are over (sws/dashboards/queries.py, one hour): an alias of its
# own so they can be told apart from sessions and rate limits (the benchmark clears only the others).
CACHES["dashboards"] = {**CACHES["default"], "KEY_PREFIX": "dashboards"}
# The queue's option lists until one of them changes (stations/reference.py): kept by the benchmark too.
CACHES["reference"] = {**CACHES["default"], "KEY_PREFIX": "reference"}
if "LOCATION" not in CACHES["default"]:
    # Each its own local-memory store, sized for the whole city: local memory culls a third of its keys
    # once it holds MAX_ENTRIES (default 300), and the city's closed months alone are 2 trends x 12 months x
    # 266 scopes (249 stations, 16 districts, the city), plus each station's registry count.
    CACHES["dashboards"].update(LOCATION="dashboards", OPTIONS={"MAX_ENTRIES": 50_000})
    CACHES["reference"].update(LOCATION="reference", OPTIONS={"MAX_ENTRIES": 10_000})

# --- Users and login --------------------------------------------------------------------------------
AUTH_USER_MODEL = "stations.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "sws.security.lockout.LockoutBackend",  # first: a locked username is refused before its password
    "residents.permissions.RoleDefaultPermissionsBackend",  # permissions a role holds (authenticates nobody)
    "django.contrib.auth.backends.ModelBackend",
]
# At least 8 characters, three of upper/lower/digit/symbol, not common, not built from the username,
# not easy to guess.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sws.security.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "sws.security.passwords.NotDerivedFromUsernameValidator"},
    # Not guessable though it meets the rules above (Admin@123, Qwer1234!, a name plus digits): zxcvbn.
    {"NAME": "sws.security.passwords.StrengthValidator"},
]

# Activation and reset links (stations.accounts): single-use, replaced by a newer one, valid 72 hours.
PASSWORD_RESET_TIMEOUT = 72 * 60 * 60

# Lockout (django-axes with sws.security.lockout's handler): 5 failed passwords for one username within
# 15 minutes lock it for 30 minutes, counted from the failure that locked; attempts during the lock
# neither extend it nor count later. The same page for existing and unknown usernames.
AXES_FAILURE_LIMIT = 5
SWS_LOGIN_FAILURE_WINDOW = datetime.timedelta(minutes=15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]  # not the address: a station office shares one NAT address
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "sws.security.lockout.WindowedLockoutHandler"
AXES_LOCKOUT_CALLABLE = "sws.security.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "stations.audit.client_ip"  # the address auditlog records, too
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, kept until prune_audit (the auditor reads them)
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 100_000
AXES_ENABLE_ADMIN = False  # sws.security.admin registers read-only log admins instead
AXES_VERBOSE = False
# axes.W006 asks to lock by address too. The handler locks by username, which rotating browsers or
# cookies does not get around; locking an address would lock out a whole station office behind NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor login (django-otp, TOTP): required per role in admin (RolePolicy); a fresh migrate requires
# it for admins, municipal and district staff, auditors and station heads. TWO_FACTOR_OPTIONAL=true (the
# demo and the test suite only; `check --deploy` warns) ignores the role policy: then only users who bound
# an authenticator give a code.
SWS_TWO_FACTOR_OPTIONAL = env.bool("TWO_FACTOR_OPTIONAL", default=False)
OTP_TOTP_ISSUER = "SWS 社工站"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Language and time ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# zh-hans with ISO dates first among the input formats: <input type="date"> takes YYYY-MM-DD only.
FORMAT_MODULE_PATH = ["sws.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (whitenoise); no CDN ------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))  # nginx serves it (deploy/nginx)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Attachments (attachments/): private files, never under a URL --------------------------------------
# Photos, sign-in sheets, receipts and scans are personal data: they are kept where no web server
# serves them and leave only through the scoped, logged download view (attachments.views.download).
# Default: a folder outside MEDIA/STATIC (ATTACHMENTS_ROOT; back it up with the database). Production
# with several app hosts: an S3-compatible object store (MinIO, OSS, COS, S3) through django-storages,
# when ATTACHMENTS_S3_BUCKET is set (`pip install 'sws[s3]'`); the bucket must be private: the app
# reads the objects with its keys and hands out no bucket URL. docs/attachments.md lists the settings.
SWS_ATTACHMENTS_ROOT = env("ATTACHMENTS_ROOT", default=str(BASE_DIR / "private" / "attachments"))
SWS_ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
STORAGES["attachments"] = attachments_storage(env, SWS_ATTACHMENTS_ROOT)  # sws/storage_settings.py

# --- Security (production flags in one place) -------------------------------------------------------
# Sessions end after 30 idle minutes and 12 hours after login at the latest (sws.security.sessions
# enforces both exactly; the store's expiry, a minute longer, is the backstop), and with the browser.
SWS_SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)  # seconds
SWS_SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)  # seconds
SESSION_COOKIE_AGE = SWS_SESSION_IDLE_TIMEOUT + 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The language switch's cookie: never read by scripts, sent only on our own site (and only over HTTPS
# in production, below).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Permissions-Policy (sws.security.middleware.PermissionsPolicyMiddleware): no page uses these browser
# features, so none may, not even in a frame. A photo taken with <input type=file capture> goes through
# the phone's camera app and needs no camera permission.
SWS_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive is inert until the domain is submitted to browsers' preload lists.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): only our own scripts, styles, fonts and requests; no inline
# script or style anywhere (JS in static/js, chart data through json_script); data: images only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Cache-Control: no-store on every response to a logged-in user and on everything under these prefixes
# (residents' pages and the public intake form), whoever asks.
SWS_NO_STORE_PREFIXES = ["/residents/", "/r/", "/partners/", "/p/"]

# --- Audit trail (django-auditlog into stations.AuditLogEntry; personal-data access in stations.audit) -
AUDITLOG_LOGENTRY_MODEL = "stations.AuditLogEntry"
AUDITLOG_MASK_CALLABLE = "sws.security.masking.mask_audit_value"
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        # The ID number is stored encrypted: its changes are logged decrypted and masked (the mask
        # callable), never as ciphertext, hash or digest.
        "model": "residents.Resident",
        "m2m_fields": ["tags"],
        "mask_fields": ["id_number_encrypted", "phone"],
        "mask_callable": "residents.auditing.mask_audit_value",
        # `visit_plan`: the reverse side of VisitPlan.resident (a query on every change if read).
        "exclude_fields": ["updated_at", "version", "id_number_hash", "id_tail", "phone_tail", "visit_plan"],
    },
    {
        "model": "residents.Request",
        "mask_fields": ["reporter_phone"],
        # `visit` is the reverse side of Visit.request: reading it on every change would cost a query.
        "exclude_fields": ["version", "submission_token", "visit", "work_order"],
    },
    "residents.Referral",
    # 五社联动 (partners): the registry, referrals to partners, consents to share and resources used.
    "partners.Partner",
    {"model": "partners.PartnerReferral", "mask_fields": ["contact_phone"]},
    "partners.ShareConsent",
    "partners.ResourceUse",
    # The care registry (issue #20): households, support statuses and visit plans.
    "residents.Household",
    "residents.HouseholdMembership",
    "residents.SupportStatus",
    {"model": "residents.VisitPlan", "exclude_fields": ["version"]},
    "stations.Station",
    "stations.Street",
    "stations.Community",
    "stations.Operator",
    "stations.Assignment",
    "stations.Certificate",
    {
        "model": "stations.User",
        # Password events are recorded apart, as what happened (stations.audit.record_password_event).
        "exclude_fields": ["password", "last_login", "two_factor_enrolment_code"],
        "mask_fields": ["phone"],
        # Who was given which admin group or permission (e.g. view_sensitive_resident).
        "m2m_fields": ["groups", "user_permissions"],
    },
    "stations.RolePolicy",
    "stations.CalendarDay",  # who moved a holiday moves every working-time deadline after it
    "projects",  # every model of the projects app: projects, activities, resources, funds, plans …
    # … and, registered again (replacing the line above for these), their many-to-many fields: auditlog
    # records a many-to-many change only for the fields named. tests/security/test_audit_m2m.py checks
    # that no audited model has one left out.
    {"model": "projects.Project", "m2m_fields": ["communities", "target_groups", "requests"]},
    {"model": "projects.Activity", "m2m_fields": ["communities"]},
    {"model": "projects.VolunteerTeam", "m2m_fields": ["communities"]},
    {"model": "projects.CommunityOrganisation", "m2m_fields": ["communities"]},
    {"model": "projects.CommunityFund", "m2m_fields": ["communities"]},
    # Casework: every model, the cases' co-workers and colleagues shared with recorded as they change.
    "casework",
    {"model": "casework.Case", "m2m_fields": ["shared_with"]},
    {"model": "casework.ServiceRecord", "m2m_fields": ["goals", "resources"]},
    {"model": "casework.SupervisionSession", "m2m_fields": ["workers", "cases"]},
    {"model": "casework.CaseConference", "m2m_fields": ["staff"]},
    # Attachments: uploaded (who, what type, size, checksum) and removed (who, when).
    {"model": "attachments.Attachment", "exclude_fields": ["file"]},
    # Who put a number on the SMS opt-out list, or took it off (a resident's consent to be texted).
    {"model": "notifications.SmsOptOut", "mask_fields": ["number"]},
    # The hotline (issue #19): work orders and their answers, the mapping tables, the API keys.
    {"model": "hotline.WorkOrder", "mask_fields": ["caller_phone"], "exclude_fields": ["version"]},
    "hotline.ExtensionRequest",
    "hotline.HotlineCategory",
    "hotline.DeadlineRule",
    {"model": "hotline.ApiKey", "exclude_fields": ["secret_digest", "callback_secret", "last_used_at"]},
)
SWS_AUDIT_RETENTION_DAYS = 180  # prune_audit never deletes younger records
# Personal and case fields whose values never enter the change log (stations.audit.redact_changes): the
# entry says the field changed, not what it held. "repr": the object's str() is personal (a name), so the
# entry names it by id. The ID number and the birth date are here: either completes the masked number.
# `manage.py redact_audit_history` applies this to entries written before a field was listed.
SWS_AUDIT_REDACTED_FIELDS = {
    "residents.resident": {
        "fields": [
            "name",
            "gender",
            "birth_date",
            "id_number_encrypted",
            "id_number_hash",
            "id_tail",
            "phone",
            "phone_tail",
            "address",
            "notes",
            "tags",
        ],
        "repr": True,
    },
    "residents.request": {"fields": ["reporter_name", "reporter_phone", "description", "close_reason"]},
    "residents.referral": {"fields": ["reason", "outcome_note"]},
    # A case's referral to a partner keeps its reason and outcome note itself (a request's are above).
    "partners.partnerreferral": {"fields": ["reason", "outcome_note"]},
    # A file's name and caption may name a resident (张桂兰身份证.jpg).
    "attachments.attachment": {"fields": ["original_name", "caption"], "repr": True},
}

# --- Monthly reports (月报) ----------------------------------------------------------------------------
# A station's report for a month is due by this day of the next month, a district's by the second; the
# reminder (REPORT_DUE) goes out REPORT_REMINDER_DAYS before each deadline to whoever has not submitted.
REPORT_STATION_DUE_DAY = env.int("REPORT_STATION_DUE_DAY", default=5)
REPORT_DISTRICT_DUE_DAY = env.int("REPORT_DISTRICT_DUE_DAY", default=10)
REPORT_REMINDER_DAYS = env.int("REPORT_REMINDER_DAYS", default=2)

# --- Residents and requests -------------------------------------------------------------------------
# Follow-up (回访) falls due this many days after a request is resolved.
FOLLOW_UP_DAYS = env.int("FOLLOW_UP_DAYS", default=7)
# The public QR intake (/r/…): the address the QR codes encode, when posters are printed on an intranet
# host that residents' phones cannot reach (e.g. https://sws.example.gov.cn); empty uses the request's.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")
# How many reverse proxies of ours append to X-Forwarded-For. 0 trusts only REMOTE_ADDR: the public
# pages' rate limits key on the client address, and a forged header must not reset them.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The addresses (or networks, e.g. 10.0.0.0/24) our proxies connect from: X-Forwarded-For is believed
# only on a connection from one of them, so a client reaching the app's port directly cannot forge it.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

# --- Referrals to partners (partners) -----------------------------------------------------------------
# A partner's answer link (/p/<token>/) is valid this many days; a partner that has not answered after
# PARTNER_REMINDER_DAYS gets one reminder SMS (with a fresh link) and the worker is told.
PARTNER_LINK_DAYS = env.int("PARTNER_LINK_DAYS", default=14)
PARTNER_REMINDER_DAYS = env.int("PARTNER_REMINDER_DAYS", default=3)

# --- Background jobs (Celery) and outbound messages (notifications; docs/jobs.md) ---------------------
# The broker: Redis in production (e.g. redis://127.0.0.1:6379/1), or RabbitMQ
# (amqp://guest:guest@127.0.0.1:5672//). Without one, tasks run in-process when called and
# `manage.py run_due_jobs` (cron, or by hand) runs the schedule below: the embedded demo needs nothing.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# The queue's name: deployments (or test runs) sharing one Redis each use their own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="sws")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True  # nothing reads results: no result backend to run
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a delivery run is long: do not hoard the queue's next ones
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The periodic jobs, read by celery beat and by run_due_jobs alike: name → task and schedule (seconds or
# celery.schedules.crontab, Asia/Shanghai). Add a job: a @shared_task and an entry here (docs/jobs.md).
CELERY_BEAT_SCHEDULE = {
    # Retries whose backoff has passed, and messages a crashed worker left claimed (their lease ran out).
    "outbox-deliver": {
        "task": "notifications.tasks.deliver_due",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=30.0),
    },
    # Reminders, follow-ups due, the 08:00 digest (notifications/schedule.py says when and why).
    **NOTIFICATION_SCHEDULE,
    # Referrals unanswered after PARTNER_REMINDER_DAYS: the worker hears, the partner gets one SMS.
    "remind-unanswered-referrals": {
        "task": "partners.tasks.remind_unanswered",
        "schedule": crontab(minute=15, hour=9),
    },
    # Uploaded 台账 files (ID numbers) of dry runs left unimported for a day are cleared (hourly).
    "purge-import-uploads": {"task": "residents.tasks.purge_import_uploads", "schedule": 3600.0},
    # Monthly reports due soon and not yet submitted: the heads and district centres are reminded (08:50).
    "remind-reports-due": {
        "task": "sws.tasks.remind_reports_due",
        "schedule": crontab(minute=50, hour=8),
    },
    # The dashboards' daily per-station rollup takes in the day before yesterday (sws/dashboards/rollup.py);
    # a missed night is caught up by the next run.
    "rollup-days": {"task": "sws.tasks.roll_up_days", "schedule": crontab(minute=10, hour=3)},
    # Evaluation rectifications (整改) due today or overdue: their owners, once per item and due date (08:55).
    "remind-rectifications-due": {
        "task": "sws.tasks.remind_rectifications_due",
        "schedule": crontab(minute=55, hour=8),
    },
}
# Delivery: a failed message is retried after OUTBOX_RETRY_BASE_SECONDS, doubling each time (capped at
# OUTBOX_RETRY_MAX_SECONDS); after OUTBOX_MAX_ATTEMPTS attempts it is dead (admin: retry). A worker holds
# a claimed message for OUTBOX_LEASE_SECONDS: if it dies, another worker takes the message after that.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=6 * 60 * 60)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
# Monitoring may read /health/jobs/ with "Authorization: Bearer <token>" (admins need none); empty: none.
JOBS_HEALTH_TOKEN = env("JOBS_HEALTH_TOKEN", default="")
# SMS: "file" (demo: one file per message under SMS_FILE_DIR), "console" (the log line only, no text), or
# "http" (the provider's gateway; URL, key, secret and sign name below).
SMS_BACKEND = env("SMS_BACKEND", default="file" if DEBUG else "console")
SMS_FILE_DIR = env("SMS_FILE_DIR", default=str(BASE_DIR / "sent_sms"))
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_KEY = env("SMS_HTTP_KEY", default="")
SMS_HTTP_SECRET = env("SMS_HTTP_SECRET", default="")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="社工站")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
# At most this many SMS to one number per day (Asia/Shanghai); more are refused and recorded as such.
SMS_DAILY_LIMIT_PER_NUMBER = env.int("SMS_DAILY_LIMIT_PER_NUMBER", default=5)
# 企业微信 work messages (channel "wecom"): the corp's id, the app's secret and agent id.
WECOM_API_BASE = env("WECOM_API_BASE", default="https://qyapi.weixin.qq.com")
WECOM_CORP_ID = env("WECOM_CORP_ID", default="")
WECOM_CORP_SECRET = env("WECOM_CORP_SECRET", default="")
WECOM_AGENT_ID = env("WECOM_AGENT_ID", default="")
# Webhooks (channel "webhook": the hotline's callbacks): the function giving a key id's signing secret, and
# how long a partner's callback URL may take to answer.
WEBHOOK_SIGNING_SECRET = "hotline.callbacks.signing_secret"
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# --- The API (hotline/, docs/api.md) -----------------------------------------------------------------
# API keys only: no session or CSRF path into the API. Every view is a hotline.api view that logs its call.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["hotline.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["hotline.api.auth.HasApiKey"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "hotline.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SWS 社工站接口",
    "DESCRIPTION": "12345热线工单接收、答复回调与满意度；认证与示例见 docs/api.md。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Notifications ---------------------------------------------------------------------------------
# How often an open page asks for the unread count (the navigation's 消息 badge): a COUNT over an index
# per open page and interval; 45 s keeps a city's ~500 logged-in workers under 12 requests/s.
NOTIFICATIONS_POLL_SECONDS = env.int("NOTIFICATIONS_POLL_SECONDS", default=45)

# --- Health and metrics (sws/health.py, docs/deploy.md) ---------------------------------------------
# /readyz answers 503 when the outbox's oldest undelivered message has waited longer, or more wait.
READY_OUTBOX_MAX_AGE_SECONDS = env.int("READY_OUTBOX_MAX_AGE_SECONDS", default=15 * 60)
READY_OUTBOX_MAX_BACKLOG = env.int("READY_OUTBOX_MAX_BACKLOG", default=5000)
# /metrics: "Authorization: Bearer <METRICS_TOKEN>" (through nginx), or a direct connection from one of
# these addresses or networks (e.g. 10.0.0.5,10.0.1.0/24: the Prometheus host); 404 for anyone else.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
PROMETHEUS_EXPORT_MIGRATIONS = False  # no query at start-up (gunicorn preloads the app before forking)
# The request id (django-guid): nginx sets X-Request-ID ($request_id, 32 hex digits) and logs it; the app
# takes it, returns it and puts it in every log line of the request (not in the Celery tasks it queues:
# no integration is configured).
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # a malformed or forged-looking id is replaced by a new one
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "INTEGRATIONS": [],
    "UUID_LENGTH": 32,
    "UUID_FORMAT": "hex",
}

# --- Mail -------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# --- Logging: to stderr; personal data is never logged in full ---------------------------------------
# Every handler masks ID numbers and mobile numbers (sws.security.logfilters), including Django's
# request log lines, whose query strings may carry a searched number.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "sws.security.logfilters.MaskPersonalDataFilter"},
        "quiet_forbidden": {"()": "sws.errors.QuietForbiddenFilter"},  # a 403 is one line, no traceback
        "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
    },
    "formatters": {
        # LOG_FORMAT=json (production's default): one JSON object a line, for journald and log shippers.
        "json": {
            "()": "sws.security.logfilters.MaskedJsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # Django's `request` extra prints the full path, query string included (a searched phone
            # number): left out; the path is in the message.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "mask_personal_data"],
            "formatter": env("LOG_FORMAT", default="text" if DEBUG else "json"),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults print through unfiltered handlers of their own: send them through ours.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "filters": ["quiet_forbidden"], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django_guid": {"level": "WARNING"},  # "generated a new id" for every request is noise
    },
}
