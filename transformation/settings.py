"""Settings, read from the environment.

The app runs on an SQLite file in the project folder, with Celery's messages in a folder
(var/celery), unless DATABASE_URL and REDIS_URL are set, when the same code uses PostgreSQL
and Redis; either way a Celery worker makes the reports (`make run` starts one). DEBUG is off
unless switched on: off is the production configuration (secure cookies, HSTS, SSL redirect,
plain error pages), which requires SECRET_KEY and ALLOWED_HOSTS.
DEBUG=true is for development only: `make` sets it (the local demo, the tests), and the
tests' own settings (tests/settings.py) too.
"""

import os
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from transformation.release import code_digest

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where links in emails point (reminders, report notifications).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env("SITE_NAME", "Programme tracker")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "programmes",
    "workstreams",
    "risks",
    "reporting",
    "plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session lasts a working day from its last use (programmes/accounts/sessions.py).
    "programmes.accounts.sessions.SessionRenewal",
    "django_otp.middleware.OTPMiddleware",
    # Sends users signed in with a password to their two-factor code before any other page.
    "programmes.accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "transformation.urls"
WSGI_APPLICATION = "transformation.wsgi.application"

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
                "django.template.context_processors.csp",
                "programmes.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, eager tasks, tests) share the file: WAL lets readers carry on
    # while one writes, and IMMEDIATE transactions fail fast instead of deadlocking.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user with their person and organisation. (Sessions
    # begun under Django's own, before 30 November 2026, end: their users sign in again.)
    "programmes.accounts.backends.ModelBackend",
]
# Two-factor authentication (issue 12): required of programme offices, portfolio offices and
# site administrators signed in with a password (programmes/accounts/two_factor.py).
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = SITE_NAME
# The site administration lists authenticators without their keys or QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, transformation/login_throttle.py): five failures for one user
# name from one address lock that pair out for an hour; fifty for one user name from any
# addresses within the hour lock the user name out, for an hour after the fiftieth. A locked
# pair adds no failures (so one address contributes at most five, and guessing on during a
# lock does not prolong it), and the lock-out page says when to try again.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
LOGIN_USER_NAME_FAILURE_LIMIT = env_int("LOGIN_USER_NAME_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "transformation.login_throttle.LoginThrottle"
AXES_LOCKOUT_CALLABLE = "transformation.login_throttle.locked_out"

# Single sign-on with OpenID Connect (docs/sign-in.md; programmes/accounts/oidc.py). Three
# variables make one provider, id "oidc": OIDC_ISSUER_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
# (with OIDC_NAME, OIDC_ORGANISATION, the slug of the organisation whose people it signs in,
# and OIDC_TRUST_EMAIL optional). More providers take the same names numbered from 2:
# OIDC_2_ISSUER_URL, OIDC_2_CLIENT_ID, ... (id "oidc-2", or OIDC_2_ID). Read when asked, not
# at import, so tests may set OIDC_PROVIDERS.


def oidc_providers_from_environment() -> list[dict]:
    """The single sign-on providers the environment configures; a provider with an issuer but
    no client id or secret fails loudly."""
    numbers = sorted(
        int(match[1])
        for name in os.environ
        if (match := re.fullmatch(r"OIDC_(\d+)_ISSUER_URL", name))
    )
    providers = []
    for prefix, default_id in [
        ("OIDC_", "oidc"),
        *((f"OIDC_{number}_", f"oidc-{number}") for number in numbers),
    ]:
        issuer = env(f"{prefix}ISSUER_URL")
        if issuer is None:
            continue
        client_id, client_secret = env(f"{prefix}CLIENT_ID"), env(f"{prefix}CLIENT_SECRET")
        if client_id is None or client_secret is None:
            raise ImproperlyConfigured(
                f"{prefix}ISSUER_URL is set: {prefix}CLIENT_ID and {prefix}CLIENT_SECRET must be too"
            )
        providers.append(
            {
                "id": env(f"{prefix}ID", default_id),
                "name": env(f"{prefix}NAME", "your organisation's account"),
                "organisation": env(f"{prefix}ORGANISATION"),
                "issuer": issuer.rstrip("/"),
                "client_id": client_id,
                "client_secret": client_secret,
                "trust_email": env_bool(f"{prefix}TRUST_EMAIL", False),
            }
        )
    ids = [provider["id"] for provider in providers]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"Two single sign-on providers share an id: {ids}")
    return providers


OIDC_PROVIDERS = oidc_providers_from_environment()

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "build"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# No MEDIA_URL: generated files are only served through views that check permission.
# Papers uploaded for a board meeting (risks/papers.py): the largest accepted, in megabytes.
MEETING_PAPER_MAX_BYTES = env_int("MEETING_PAPER_MAX_MB", 20) * 1024 * 1024

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible storage for generated reports; django-storages reads the AWS_* settings
    # (AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) from the environment.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# Redis: broker for Celery and the shared cache. Without it, Celery's broker is a folder
# (kombu's filesystem transport: no service to run), which `make run`'s worker reads.
REDIS_URL = env("REDIS_URL")
# The release running (transformation/release.py): what the cache keeps is keyed by it, so a
# deploy never reads what an older release computed.
CODE_VERSION = env("CODE_VERSION") or code_digest(BASE_DIR)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Several deployments (or test runs) sharing one Redis keep apart by a prefix;
            # the release follows it.
            "KEY_PREFIX": f"{env('CACHE_KEY_PREFIX', '')}{CODE_VERSION}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# The queue the app sends its tasks to and its workers take them from: deployments (or test
# runs) sharing one Redis each keep to their own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
# Tasks run in the background, by a worker (`make run` starts one). CELERY_EAGER=true runs them
# in-process instead, at once, where no worker runs (a shell, a one-off command).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 600_000)  # KiB
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are acknowledged late, so Redis hands out again a task whose whole worker died once
# this many seconds have passed since it was handed out (kombu's default is an hour). It must
# be longer than a worker can hold a live task: the hard time limit plus the longest retry
# countdown (120 s), or a task still running would be handed out twice. Just above that, a
# killed worker's report is made again within ten minutes. Redis is checked for such tasks
# every 10 seconds (kombu's default is every 100).
visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 180)
if visibility_timeout <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT, or a task still "
        "running would be handed out again"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": visibility_timeout,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
if not REDIS_URL:
    # The filesystem broker: messages are files in one folder, written by the web server and
    # taken, and deleted once done, by the worker; CELERY_FOLDER moves it (tests use their own).
    CELERY_FOLDER = Path(env("CELERY_FOLDER", str(BASE_DIR / "var" / "celery")))
    for _name in ("queue", "control"):
        (CELERY_FOLDER / _name).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FOLDER / "queue"),
        "data_folder_out": str(CELERY_FOLDER / "queue"),
        "control_folder": str(CELERY_FOLDER / "control"),
        "store_processed": False,  # a done message is deleted, so the folder never fills
    }
CELERY_BEAT_SCHEDULE = {
    "status-update-reminders": {
        "task": "workstreams.send_status_update_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "overdue-milestone-digests": {
        "task": "workstreams.send_overdue_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "roll-reporting-periods": {
        "task": "reporting.roll_reporting_periods",
        "schedule": crontab(hour=0, minute=15),
    },
    "monthly-reports": {
        "task": "reporting.make_monthly_reports",
        "schedule": crontab(hour=6, minute=0),
    },
    "fail-stalled-report-runs": {
        "task": "reporting.fail_stalled_runs",
        # With renders stalled after the time limit plus a minute, every two minutes ends or
        # queues again a report of a lost worker within ten minutes, whatever the broker did.
        "schedule": crontab(minute="*/2"),
    },
    "delete-stale-plan-uploads": {
        "task": "plans.delete_stale_plan_uploads",
        "schedule": crontab(hour=2, minute=0),
    },
    # Issue 16: owners of the communications plan's lines, on the day each is due.
    "communication-reminders": {
        "task": "risks.send_communication_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
}
# Fault-injection tests pause rendering here to kill the worker mid-render. Never set it in
# production.
REPORT_RENDER_PAUSE_SECONDS = float(env("REPORT_RENDER_PAUSE_SECONDS", "0") or 0)

# Email (Django 6.1 mailers): printed on the console unless an SMTP host is configured.
if env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "programme-office@example.org")

# The REST API (docs/api.md): a token for integrations or the signed-in session for pages
# and the browsable docs; signed-in users only; lists in pages of 50 (up to 200 on request).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "programmes.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "programmes.api.exceptions.exception_handler",
    # JSON only: the docs page (Swagger UI) is the browsable view, and DRF's own HTML pages
    # need inline scripts that the Content Security Policy refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Transformation programmes API",
    "DESCRIPTION": (
        "Programmes, areas, workstreams, milestones, measures, status updates, budget lines "
        "and the RAID log, as each user may see them; writes as their role allows. "
        "See docs/api.md."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RagEnum": "programmes.choices.Rag",
        "ReportedRatingEnum": "workstreams.api.serializers.RATINGS_OFFERED",
        "ProgrammeStatusEnum": "programmes.choices.ProgrammeStatus",
        "PeriodStatusEnum": "programmes.choices.PeriodStatus",
        "MilestoneKindEnum": "workstreams.models.MilestoneKind",
        "MilestoneStatusEnum": "workstreams.models.MilestoneStatus",
        "RiskKindEnum": "risks.models.RiskKind",
        "RiskStatusEnum": "risks.models.RiskStatus",
        "IssueStatusEnum": "risks.models.IssueStatus",
        "DecisionStatusEnum": "risks.models.DecisionStatus",
    },
}

# Content Security Policy (Django's own): only our files; inline scripts only with the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A working day without use: SessionRenewal renews a session in use every few minutes.
SESSION_COOKIE_AGE = 60 * 60 * 10

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Demo sign-ins made by `manage.py load_demo` share this password.
DEMO_PASSWORD = env("DEMO_PASSWORD", "demo-programme-2026")
