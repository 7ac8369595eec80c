from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# PostgreSQL down or a statement cut short: 503 with Retry-After, not a 500.
handler500 = "grassroots.availability.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("grassroots.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("ballots/", include("grassroots.ballots.urls")),
    path("delegation/", include("grassroots.delegation.urls")),
    path("messages/", include("grassroots.messaging.urls")),
    path("meetings/", include("grassroots.meetings.urls")),
    path("sortition/", include("grassroots.sortition.urls")),
    path("api/", include("grassroots.api.urls")),
    path("oversight/", include("grassroots.oversight.urls")),
    path("surveys/", include("grassroots.surveys.urls")),
    path("", include("grassroots.organisation.urls")),
    path("", include("grassroots.people.urls")),
]
