import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.prod")
_django = get_wsgi_application()

# Imported once Django is set up: the live meetings' pulse answers "nothing changed" before
# Django builds a request (grassroots/assembly/pulse.py).
from grassroots.assembly.pulse import QuickPulse  # noqa: E402

application = QuickPulse(_django)
