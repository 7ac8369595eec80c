"""`make run`: the demo on SQLite, mail printed to the console, MFA offered but not forced."""

from grassroots.settings.base import *
from grassroots.settings.env import env

DEBUG = env.bool("DEBUG", True)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# A newcomer can try every demo role at once without setting up an authenticator app.
GRASSROOTS_REQUIRE_OFFICER_MFA = env.bool("GRASSROOTS_REQUIRE_OFFICER_MFA", False)
# Demo logins are seeded with verified addresses; sign-up stays closed.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# One process serves the demo, so a per-process cache is enough for login throttling.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The demo's open ballot keeps its tellers' shares, sealed under the server key, and may close
# early, so a visitor can count it (grassroots.ballots.custody; production refuses both).
GRASSROOTS_SHARE_KEEPER = "grassroots.ballots.custody.ServerSealedShares"
GRASSROOTS_EARLY_CLOSE = "grassroots.ballots.custody.when_shares_are_kept"
