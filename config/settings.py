"""Yrkesporten settings: one module, every value read from the environment.

Unset variables give the embedded default: SQLite, Celery tasks run in process,
console e-mail, private media on local disk. See the configuration table in README.md.
"""

import json
from pathlib import Path

import dj_database_url
import django.conf.locale
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts.eid import brokers as eid_brokers
from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# The fallback key is for the embedded default only; `check --deploy` flags it (security.W009).
SECRET_KEY = env_str(
    "SECRET_KEY", "django-insecure-yrkesporten-embedded-default-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [".localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "django_htmx",
    "template_partials",
    "import_export",
    "accounts",
    "yrkescenter",
    "admissions",
    "validation",
    "industriradet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.TenancyMiddleware",
    "accounts.middleware.StaffLanguageMiddleware",
    "accounts.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.tenancy",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# The embedded default keeps its SQLite file in var/, which a fresh clone lacks: without the
# folder, the first `manage.py migrate` fails with "unable to open database file".
if not env_str("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'yrkesporten.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker (the embedded default) tasks run in process, inside the request.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
# Tasks are written to be safe to run twice, so a task lost with its worker is delivered again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
# An unacknowledged message goes back to the queue after the visibility timeout, so the timeout
# must outlast the longest task or a running task is started a second time.
# A worker killed outright (SIGKILL, OOM, a lost machine) acknowledges nothing: its message is
# given to another worker once the visibility timeout has passed (checked when a worker starts
# and every ~100 s).
CELERY_VISIBILITY_TIMEOUT = env_int(
    "CELERY_VISIBILITY_TIMEOUT", max(3600, CELERY_TASK_TIME_LIMIT + 300)
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# With acks_late a task whose broker connection is lost is redelivered anyway; stopping it avoids
# two copies running at once (the default from Celery 6).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "Europe/Stockholm"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that sends a task while Redis is down fails within seconds (the task stays in the
# outbox) instead of hanging on the broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# Periodic tasks are added here as apps need them; beat keeps its last-run times out of the tree.
CELERY_BEAT_SCHEDULE = {
    # Unanswered offers past their deadline expire, so their seats feed the next round.
    "offers-expire": {"task": "admissions.tasks.offers_expire", "schedule": 3600.0},
    # Tasks a write asked for while the broker was down (accounts.outbox).
    "outbox-resend": {"task": "accounts.tasks.outbox_resend", "schedule": 60.0},
    # Files left without their row by a worker killed between storing and committing.
    "private-files-sweep": {"task": "admissions.tasks.private_files_sweep", "schedule": 6 * 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# --- Authentication (django-allauth) ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:start"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
# Login throttling. Failed logins (a wrong password, or a wrong code at the second factor) count
# per address and per account (the key: the e-mail address, or the user at the TOTP step): an
# account takes 5 failures in 5 minutes (an attacker is slowed to about one a minute) and 15 in an
# hour, after which it is refused until the hour has passed; one address takes 10 a minute and 50
# an hour over all accounts. The counters live in the cache: Redis (REDIS_URL) in production and
# CI, so every worker process shares them. A refusal is written to the audit log
# (accounts.adapters, accounts.mfa_forms).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,50/h/ip,5/5m/key,15/h/key"),
}
# Behind the reverse proxy the client's address is the last one X-Forwarded-For adds; without
# this every request would seem to come from the proxy, and one address's limit would be everyone's.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Yrkesporten] "
# e-ID (BankID, Freja eID, ...) through each region's OpenID Connect broker (accounts.eid; README
# "e-ID login"). EID_PROVIDERS is JSON: {"<region slug>": [{"id", "name", "issuer", "client_id",
# "secret" or "secret_env", optional "scope", "personnummer_claim"}]}. Unset: no e-ID button.
EID_PROVIDERS = eid_brokers.parse(json.loads(env_str("EID_PROVIDERS") or "{}"))
SOCIALACCOUNT_ADAPTER = "accounts.eid.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "accounts.eid.provider.EidProvider"}
}
# The brokers give a verified e-mail address when they have one; without it, allauth asks for one
# (and verifies it as for any signup).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# The login button posts (accounts templates), so a link cannot start a login by itself.
SOCIALACCOUNT_LOGIN_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Yrkesporten"
MFA_FORMS = {"authenticate": "accounts.mfa_forms.AuthenticateForm"}
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Idle timeout: the cookie's age is renewed on every request, so it expires after idle minutes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security (production-like values come from the environment) --------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts and styles only from the site's
# own static files, so no inline <script>, no on*= handler, no style="" and no eval run. htmx is
# told not to inject its indicator <style> and not to eval (the htmx-config meta in base.html);
# Chart.js draws on a canvas. data: images are allauth's TOTP QR code. tests/test_csp.py checks
# the header and the templates, the browser tests check the console on every journey.
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
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Yrkesporten <noreply@yrkesporten.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages and time -------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
# The applicant's side speaks the languages of the region's applicants, many of them recently
# arrived; staff pages stay Swedish or English (STAFF_LANGUAGES, accounts.middleware).
LANGUAGES = [
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa-af", _("Dari")),
    ("uk", _("Ukrainian")),
    ("so", _("Somali")),
    ("ti", _("Tigrinya")),
    ("sv-ll", _("Easy-to-read Swedish")),
]
STAFF_LANGUAGES = ("sv", "en")
# Django knows Arabic and Ukrainian, not Dari (bidi: written right to left), Somali, Tigrinya
# (Ge'ez script, left to right) or easy-to-read Swedish (lättläst; "sv-ll" is locale/sv_LL).
EXTRA_LANG_INFO = {
    "fa-af": {"bidi": True, "code": "fa-af", "name": "Dari", "name_local": "دری"},
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
    "sv-ll": {
        "bidi": False,
        "code": "sv-ll",
        "name": "Easy-to-read Swedish",
        "name_local": "Lättläst svenska",
    },
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static files and private media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: MEDIA_ROOT is never served by URL, only through views that check the viewer.
MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private-media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        # The manifest needs `collectstatic` first, so only deployments (docker-compose) turn it on.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
        # The private upload modes below apply to every file storage; without these, files
        # collected at image build (as root) are unreadable to the server's own user.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1024 * 1024
# What an uploaded document may hold beyond its size (admissions/files/uploads.py checks them).
UPLOAD_PDF_MAX_PAGES = env_int("UPLOAD_PDF_MAX_PAGES", 200)
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_MEGAPIXELS", 80) * 1_000_000

# --- Tenancy ------------------------------------------------------------------------------------
# A request whose host names no region falls back to this region (single-region installs).
DEFAULT_REGION_SLUG = env_str("DEFAULT_REGION_SLUG", "varmland")

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
