"""egov settings: twelve-factor, read from environment variables with safe production defaults.

Profiles (``EGOV_PROFILE``):
- ``production`` (default): DEBUG off, secure cookies, HSTS, SECRET_KEY required from the environment.
- ``demo``: what ``make demo`` runs: plain HTTP on loopback, SECRET_KEY generated into ``var/``.
- ``test``: the test suite (see ``test_settings``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = BASE_DIR / "egov"
VAR_DIR = Path(os.environ.get("EGOV_VAR_DIR", BASE_DIR / "var"))

PROFILE = os.environ.get("EGOV_PROFILE", "production")
if PROFILE not in {"production", "demo", "test"}:
    raise RuntimeError(f"EGOV_PROFILE must be production, demo or test, not {PROFILE!r}")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def demo_secret_key(path: Path) -> str:
    """The demo's key lives in var/ so sessions survive restarts; it is made once, never committed."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", default=False)
if os.environ.get("SECRET_KEY"):
    SECRET_KEY = os.environ["SECRET_KEY"]
elif PROFILE == "demo":
    SECRET_KEY = demo_secret_key(VAR_DIR / "secret_key")
elif PROFILE == "test":
    SECRET_KEY = "test-only-key-" + "x" * 40  # never used outside the test suite
else:
    raise RuntimeError("SECRET_KEY must be set in the environment (production profile)")

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOCAL_HOSTS if PROFILE != "production" else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "egov.core",
    "egov.organizations",
    "egov.accounts",
    "egov.procedures",
    "egov.signatures",
    "egov.dossiers",
    "egov.documents",
    "egov.payments",
    "egov.eservices",
    "egov.reports",
    "egov.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "egov.accounts.middleware.OfficialSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # axes must come last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "egov.config.urls"
WSGI_APPLICATION = "egov.config.wsgi.application"
ASGI_APPLICATION = "egov.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "egov.core.context_processors.site",
            ],
            "libraries": {"egov_pdf": "egov.core.pdf"},
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# The embedded default is a real SQLite database: WAL for concurrent readers, IMMEDIATE
# transactions so writers queue on the lock instead of failing mid-transaction (select_for_update
# is a no-op on SQLite, so gap-free counters depend on this), and a busy timeout.
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'egov.sqlite3'}"
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_url(url: str) -> dict[str, object]:
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        if str(config["NAME"]) != ":memory:":
            Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    else:
        config["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks -----------------------------------------------------------------------
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "egov.accounts.backends.IdentifierBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
OFFICIAL_HOME_URL = "workspace:home"  # where officials land after the second factor
LOGOUT_REDIRECT_URL = "core:home"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "egov")

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))  # hours
# Lock the account, not the address: a commune office sits behind one NAT address, and an
# attacker rotating addresses still hits the per-account counter.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "username"
# A correct password must not wipe the count of wrong TOTP codes: egov clears failures itself only
# after a complete sign-in (second factor included).
AXES_RESET_ON_SUCCESS = False
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", "3600"))
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

SECURE_HTTPS = PROFILE == "production"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_HTTPS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything is served by egov itself (closed government network, no CDN): 'self' only,
# scripts need the per-request nonce.
# The signing agent on the official's own computer (docs/signing-agent.md): the signing pages call it.
EGOV_SIGNING_AGENT_URL = os.environ.get("EGOV_SIGNING_AGENT_URL", "http://127.0.0.1:8766").rstrip("/")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, EGOV_SIGNING_AGENT_URL],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if PROFILE == "test"
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = PROFILE == "test"

# --- E-mail ---------------------------------------------------------------------------------
# SMTP in production; files under var/mail/ for the demo (read them there), memory in tests.
if PROFILE == "production" or os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "egov <no-reply@egov.localhost>")

# --- egov -----------------------------------------------------------------------------------
# The default name follows the visitor's language; a name set in the environment is shown as it is.
EGOV_SITE_NAME = os.environ.get("EGOV_SITE_NAME", _("Cổng dịch vụ công tỉnh"))
# Working periods of the working-day calendar, "HH:MM-HH:MM" separated by commas (DOMAIN.md §1).
EGOV_WORKING_PERIODS = os.environ.get("EGOV_WORKING_PERIODS", "07:00-11:30,13:30-17:00")
# SMS provider adapter: dotted path of an egov.core.sms.SmsGateway class. Empty: the file outbox
# var/sms/outbox.jsonl in the demo and test profiles; in production no SMS, and a warning.
EGOV_SMS_GATEWAY = os.environ.get("EGOV_SMS_GATEWAY", "")
# Vietnamese SMS go out without diacritics (GSM-7: 153 characters per segment instead of 67).
EGOV_SMS_STRIP_DIACRITICS = env_bool("EGOV_SMS_STRIP_DIACRITICS", True)
# The public service centre's kiosk returns to its start page after this much inactivity.
EGOV_KIOSK_TIMEOUT_SECONDS = int(os.environ.get("EGOV_KIOSK_TIMEOUT_SECONDS", "60"))
# core.clock.now() returns this instant instead of the real time when set (demos, acceptance runs).
EGOV_FROZEN_NOW = os.environ.get("EGOV_FROZEN_NOW", "")

# --- documents (official documents, Decree 30/2020) ---
# Largest PDF accepted for a scan, a draft or a signed document.
EGOV_DOCUMENTS_MAX_UPLOAD_BYTES = int(
    os.environ.get("EGOV_DOCUMENTS_MAX_UPLOAD_BYTES", str(30 * 1024 * 1024))
)
# Deadline reminders go this many calendar days before a processing deadline (and once when late).
EGOV_DOCUMENT_REMINDER_DAYS = int(os.environ.get("EGOV_DOCUMENT_REMINDER_DAYS", "2"))

# --- Payments (egov.payments, docs/payments.md) --------------------------------------------------
# The gateway adapter; the default is egov's SANDBOX gateway (manage.py run_sandbox_gateway), which
# moves no money. The shared HMAC secret comes from the environment; production has no default.
EGOV_PAYMENT_GATEWAY = os.environ.get("EGOV_PAYMENT_GATEWAY", "egov.payments.gateways.sandbox.SandboxGateway")
EGOV_PAYMENT_GATEWAY_URL = os.environ.get("EGOV_PAYMENT_GATEWAY_URL", "http://127.0.0.1:8765")
EGOV_PAYMENT_MERCHANT_ID = os.environ.get("EGOV_PAYMENT_MERCHANT_ID", "egov-sandbox")
EGOV_PAYMENT_GATEWAY_SECRET = os.environ.get("EGOV_PAYMENT_GATEWAY_SECRET", "") or (
    "" if PROFILE == "production" else "sandbox-secret-for-development-only"
)
# Signed callbacks and answers older or newer than this are refused (replays of old captures).
EGOV_PAYMENT_SIGNATURE_WINDOW_SECONDS = int(os.environ.get("EGOV_PAYMENT_SIGNATURE_WINDOW_SECONDS", "300"))
# Where the gateway sends callbacks and payers return ("https://dichvucong.example.gov.vn"); empty:
# the address of the request that started the payment.
EGOV_PAYMENT_PUBLIC_URL = os.environ.get("EGOV_PAYMENT_PUBLIC_URL", "")
# The e-receipts' series (ký hiệu biên lai); numbers restart at 1 each calendar year.
EGOV_RECEIPT_SERIES = os.environ.get("EGOV_RECEIPT_SERIES", "BL-EGOV")
# Whether fees paid for a dossier withdrawn after acceptance are refunded (refused dossiers and
# withdrawals before acceptance always are). Unconfirmed against the fee law: kept as a setting.
EGOV_REFUND_ON_WITHDRAWAL_AFTER_ACCEPTANCE = env_bool("EGOV_REFUND_ON_WITHDRAWAL_AFTER_ACCEPTANCE", False)

# --- Online public services (eservices) ------------------------------------------------------------
# Largest file a citizen may upload in an online application (shown before the upload), in bytes.
EGOV_ONLINE_UPLOAD_MAX_BYTES = int(os.environ.get("EGOV_ONLINE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Extra papers (not listed by the procedure) one application may carry.
EGOV_ONLINE_MAX_EXTRA_FILES = int(os.environ.get("EGOV_ONLINE_MAX_EXTRA_FILES", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},  # one INFO line per layout step otherwise
    },
}


# --- Sign-in through identity providers: VNeID or any OpenID Connect provider (docs/identity.md) --
# EGOV_OIDC_PROVIDERS lists provider names ("vneid"); each NAME is configured by EGOV_OIDC_<NAME>_*:
# ISSUER (its discovery document is ISSUER/.well-known/openid-configuration), CLIENT_ID,
# CLIENT_SECRET, LABEL (the sign-in button says "Đăng nhập bằng LABEL"), SCOPES (space separated),
# REDIRECT_URI (as registered; empty: built from the request), ALGORITHMS, TIMEOUT_SECONDS, and the
# claim mapping CLAIM_NATIONAL_ID, CLAIM_FULL_NAME, CLAIM_BIRTH_DATE, CLAIM_PHONE, CLAIM_ORGANISATIONS.
def oidc_provider_from_env(name: str) -> dict[str, object]:
    prefix = f"EGOV_OIDC_{name.upper().replace('-', '_')}_"

    def value(key: str, default: str = "") -> str:
        return os.environ.get(prefix + key, default)

    claims = {
        "national_id": value("CLAIM_NATIONAL_ID", "national_id"),
        "full_name": value("CLAIM_FULL_NAME", "name"),
        "birth_date": value("CLAIM_BIRTH_DATE", "birthdate"),
        "phone": value("CLAIM_PHONE", "phone_number"),
        "organisations": value("CLAIM_ORGANISATIONS", ""),
    }
    return {
        "label": value("LABEL", name),
        "issuer": value("ISSUER"),
        "client_id": value("CLIENT_ID"),
        "client_secret": value("CLIENT_SECRET"),
        "scopes": value("SCOPES", "openid profile phone").split(),
        "redirect_uri": value("REDIRECT_URI"),
        "algorithms": value("ALGORITHMS", "RS256 ES256").split(),
        "timeout_seconds": float(value("TIMEOUT_SECONDS", "10")),
        "claims": claims,
    }


# The SANDBOX identity provider (manage.py run_sandbox_idp, Procfile "idp"): demo and development only.
_DEMO_WEB_PORT = os.environ.get("EGOV_PORT", "8000")
EGOV_SANDBOX_IDP = {
    "port": int(os.environ.get("EGOV_SANDBOX_IDP_PORT", "8090")),
    "client_id": os.environ.get("EGOV_SANDBOX_IDP_CLIENT_ID", "egov-demo"),
    "client_secret": os.environ.get("EGOV_SANDBOX_IDP_CLIENT_SECRET", "")
    or (demo_secret_key(VAR_DIR / "sandbox_idp_client_secret") if PROFILE == "demo" else ""),
    "redirect_uris": env_list(
        "EGOV_SANDBOX_IDP_REDIRECT_URIS",
        [
            f"http://{host}:{_DEMO_WEB_PORT}/accounts/oidc/vneid/callback/"
            for host in ("127.0.0.1", "localhost")
        ],
    ),
}
EGOV_OIDC_PROVIDERS = {name: oidc_provider_from_env(name) for name in env_list("EGOV_OIDC_PROVIDERS", [])}
if PROFILE == "demo" and not EGOV_OIDC_PROVIDERS:  # the demo signs in through the sandbox provider
    EGOV_OIDC_PROVIDERS = {
        "vneid": {
            "label": "VNeID (sandbox)",
            "issuer": f"http://127.0.0.1:{EGOV_SANDBOX_IDP['port']}",
            "client_id": EGOV_SANDBOX_IDP["client_id"],
            "client_secret": EGOV_SANDBOX_IDP["client_secret"],
            "claims": {"organisations": "organisations"},
        }
    }


# Digital signatures (egov.signatures). PINs are never settings: they come from the signer at signing time.
EGOV_SIGNATURE_LEVEL = os.environ.get("EGOV_SIGNATURE_LEVEL", "B-T")  # B-T, B-LT or B-LTA
# RFC 3161 timestamp authority; the demo uses the throwaway dev PKI (`manage.py run_dev_pki`, Procfile).
EGOV_TSA_URL = os.environ.get(
    "EGOV_TSA_URL",
    f"http://127.0.0.1:{os.environ.get('EGOV_DEV_PKI_PORT', '8091')}/egov-dev/tsa/tsa"
    if PROFILE == "demo"
    else "",
)
EGOV_SIGNATURE_FETCH_REVOCATION = env_bool(
    "EGOV_SIGNATURE_FETCH_REVOCATION", True
)  # OCSP/CRL when validating
EGOV_SIGNING_ALLOW_PKCS12 = env_bool("EGOV_SIGNING_ALLOW_PKCS12", PROFILE != "production")  # development keys
EGOV_SIGNING_KEYS_FILE = os.environ.get(  # JSON: key name -> key reference (never a PIN)
    "EGOV_SIGNING_KEYS_FILE", str(VAR_DIR / "dev-pki" / "keys.json") if PROFILE == "demo" else ""
)
EGOV_PUBLIC_BASE_URL = os.environ.get(
    "EGOV_PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('EGOV_PORT', '8000')}"
)
EGOV_VERIFY_UPLOAD_MAX_BYTES = int(os.environ.get("EGOV_VERIFY_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
EGOV_VERIFY_UPLOADS_PER_HOUR = int(os.environ.get("EGOV_VERIFY_UPLOADS_PER_HOUR", "30"))
