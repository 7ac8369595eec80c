"""pytest: fast hashing, strict templates, officers' MFA enforced as in production."""

from grassroots.settings.base import *
from grassroots.settings.base import TEMPLATES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
GRASSROOTS_REQUIRE_OFFICER_MFA = True
# Fail on undefined template variables instead of rendering them as empty text.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE(%s)"
# Throttling would make tests depend on each other; the throttling test turns it back on.
ACCOUNT_RATE_LIMITS = False
# Tasks run at once, in the test's own thread: a mailout is sent when its transaction commits.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail"],
    }
}
GRASSROOTS_SITE_URL = "http://testserver"
