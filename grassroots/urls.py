from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from grassroots.people import views as people_views


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# PostgreSQL down or a statement cut short: 503 with Retry-After, not a 500.
handler500 = "grassroots.availability.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The language switcher in every page's footer posts here (Django's set_language, which
    # also stores a logged-in member's choice).
    path("i18n/setlang/", people_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("grassroots.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("ballots/", include("grassroots.ballots.urls")),
    path("delegation/", include("grassroots.delegation.urls")),
    path("messages/", include("grassroots.messaging.urls")),
    path("notifications/", include("grassroots.notifications.urls")),
    path("meetings/", include("grassroots.meetings.urls")),
    path("meetings/", include("grassroots.assembly.urls")),
    path("sortition/", include("grassroots.sortition.urls")),
    path("api/", include("grassroots.api.urls")),
    path("oversight/", include("grassroots.oversight.urls")),
    path("slates/", include("grassroots.slates.urls")),
    path("surveys/", include("grassroots.surveys.urls")),
    path("proposals/", include("grassroots.proposals.urls")),
    path("", include("grassroots.organisation.urls")),
    path("", include("grassroots.people.urls")),
]
