"""Settings shared by every environment. Environment-specific files import from here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF

from grassroots.settings.env import env

# Lets admin and querysets be subscripted with their model for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env.str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "grassroots.accounts",
    "grassroots.audit",
    "grassroots.organisation",
    "grassroots.people",
    "grassroots.ballots",
    "grassroots.messaging",
    "grassroots.notifications",
    "grassroots.meetings",
    "grassroots.sortition",
    "ninja",
    "grassroots.api",
    "grassroots.delegation",
    "grassroots.assembly",
    "grassroots.oversight",
    "grassroots.surveys",
    "grassroots.proposals",
    "grassroots.slates",
    "grassroots.demo",
]

MIDDLEWARE = [
    "grassroots.availability.ShedStaleRequestsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "grassroots.content_security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, given the user read with the session in one query (grassroots.accounts.sessions).
    "grassroots.accounts.sessions.AuthenticationMiddleware",
    # A logged-in member's own language overrides LocaleMiddleware's choice (docs/i18n.md).
    "grassroots.people.languages.MemberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "grassroots.accounts.middleware.RequireOfficerMFAMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grassroots.context_processors.csp_nonce",
                "grassroots.context_processors.navigation",
                "grassroots.context_processors.status_enums",
                "grassroots.notifications.context_processors.unread_notifications",
            ],
            "builtins": ["grassroots.scope_words"],
        },
    }
]

# Hot statements (session, user, the cast) prepared on PostgreSQL (grassroots.rows.hot_cursor).
# Off behind PgBouncer in transaction mode older than 1.21 or without max_prepared_statements.
GRASSROOTS_PREPARED_STATEMENTS = env.bool("GRASSROOTS_PREPARED_STATEMENTS", True)

DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'grassroots.sqlite3'}"),
        conn_max_age=env.int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a write commits; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue instead of failing with "database is locked" half way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Django's backend with a health check that needs no round trip (grassroots/postgresql).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "grassroots.postgresql"
    # A page never waits long on a slow or locked database: the statement is cancelled, its
    # transaction rolled back, and the visitor gets a 503 with Retry-After (availability.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options",
        f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', 30000)}"
        f" -c lock_timeout={env.int('DB_LOCK_TIMEOUT_MS', 10000)}",
    )
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", 5))
    # psycopg prepares a statement on its fifth run on a connection. Only the server-binding
    # cursors of grassroots.rows.hot_cursor can be prepared; Django's own cursors bind on the
    # client and send each query as new text, so this changes nothing for them.
    if GRASSROOTS_PREPARED_STATEMENTS:
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
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

LANGUAGE_CODE = "en-gb"
# The movement has a Welsh region: every member's page can be read in Welsh (docs/i18n.md).
# A member's choice is kept in the language cookie; without one, the browser's preference.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Uploads (candidate photos) live under var/ like the database; they are served through
# permission-checked views, never straight from MEDIA_URL.
MEDIA_ROOT = env.str("MEDIA_ROOT", str(VAR_DIR / "media"))
MEDIA_URL = "/media/"

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# --- accounts (django-allauth) ---
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# One login address per account; changing it replaces the old one once the new one is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Grassroots: "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Members are registered by the movement (import or Data Manager), not by open sign-up.
ACCOUNT_ADAPTER = "grassroots.accounts.adapter.AccountAdapter"
# The 6th failed password for one address within 5 minutes is refused. The counters live in the
# default cache (below), which every app node must share.
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Grassroots"
# Accept the code from the 30 seconds either side too: phone clocks drift, and a code typed as
# it changes should not fail. Each code still works once (allauth keeps used codes in the cache).
MFA_TOTP_TOLERANCE = 1
# Officers and national roles must use MFA (accounts.middleware); the demo settings relax it.
GRASSROOTS_REQUIRE_OFFICER_MFA = env.bool("GRASSROOTS_REQUIRE_OFFICER_MFA", True)
# Nobody but a teller holds a teller's share, and a poll closes at its published time; a
# deployment may name a share keeper and an early-close policy (grassroots.ballots.custody).
GRASSROOTS_SHARE_KEEPER = ""
GRASSROOTS_EARLY_CLOSE = ""

# --- caches ---
# Login throttling and TOTP replay protection keep their counters in the default cache, so
# every app node must see the same one: a table in the main database needs no extra service.
# The accounts migration 0004 creates it under any settings, so `migrate` is the only step.
# Redis would do as well; a per-process cache (LocMem) does not once there are several processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "grassroots_cache",
    }
}

# --- mail ---
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Grassroots <noreply@grassroots.example>")

# --- background tasks (django-tasks) ---
# Tasks are rows in the main database; `manage.py db_worker` runs them, on the app node for the
# demo and on worker nodes of their own in production. Nothing else to install or run. Bulk
# mail has a queue of its own ("mail", grassroots.messaging.tasks.MAIL_QUEUE) so that it can
# run at a lower priority than the ballots' tasks (docs/deploy.md section 7).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail"],
    }
}

# --- messaging ---
# Absolute links in mail (unsubscribe) need the site's public address.
GRASSROOTS_SITE_URL = env.str("GRASSROOTS_SITE_URL", "http://127.0.0.1:8000")
# An officer may queue this many mailouts in any hour; more is refused with the time to wait.
GRASSROOTS_MAILOUTS_PER_HOUR = env.int("GRASSROOTS_MAILOUTS_PER_HOUR", 5)
# The worker sends this many messages over one SMTP connection, then records progress.
GRASSROOTS_MAIL_BATCH_SIZE = env.int("GRASSROOTS_MAIL_BATCH_SIZE", 200)

# --- data protection (docs/data-protection.md) ---
# Lapsed members are pseudonymised this many days after their renewal fell due, by
# `manage.py apply_retention` (run daily from cron).
GRASSROOTS_LAPSED_RETENTION_DAYS = env.int("GRASSROOTS_LAPSED_RETENTION_DAYS", 730)
# Other organisations' imported membership lists (people.affiliations) are deleted this many
# days after their import by the same command; a declaration they confirmed stops counting.
GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS = env.int(
    "GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS", 365
)

# --- availability (grassroots/availability.py) ---
# A request that waited longer than this in the queue (nginx's X-Request-Start) is answered 503
# at once; 0 turns it off. Production sets it below nginx's proxy_read_timeout.
GRASSROOTS_SHED_AFTER_MS = env.int("GRASSROOTS_SHED_AFTER_MS", 0)
# Paths whose views load neither the session nor the login (a signed token stands for them), so
# middleware that would read the login for every request leaves them alone: the live meeting's
# pulse, 500 requests a second in a full hall (grassroots/assembly/pulse.py).
GRASSROOTS_SESSIONLESS_PATHS = (r"^/meetings/[0-9]+/live/pulse/$",)

# --- security ---
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with SQL made once per process (the read every request makes).
SESSION_ENGINE = "grassroots.accounts.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
