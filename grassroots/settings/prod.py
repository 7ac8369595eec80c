"""Production: every secret from the environment, HTTPS only."""

from grassroots.settings.base import *
from grassroots.settings.env import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [])
DATABASES = DATABASES
env.str("DATABASE_URL")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
GRASSROOTS_REQUIRE_OFFICER_MFA = True
# A ballot that matters: only its tellers hold their shares, and it closes at its published time
# (grassroots.ballots.custody), whatever the environment says.
GRASSROOTS_SHARE_KEEPER = ""
GRASSROOTS_EARLY_CLOSE = ""
# Behind the reverse proxy the client's address is the last one it appends to X-Forwarded-For;
# without this every failed login would count against the proxy's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", 1)
# Links in mail (one-click unsubscribe) point at the public site: the first allowed host unless set.
GRASSROOTS_SITE_URL = env.str(
    "GRASSROOTS_SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else ""
)
# Requests queued longer than this behind busy app nodes are shed with 503 (availability.py).
GRASSROOTS_SHED_AFTER_MS = env.int("GRASSROOTS_SHED_AFTER_MS", 20000)
