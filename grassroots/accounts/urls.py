from django.urls import path

from grassroots.accounts import views

# Named account_* like allauth's pages, so an officer who has not yet set up MFA can still use it
# (accounts.middleware exempts account_* pages).
urlpatterns = [
    path(
        "sessions/logout-everywhere/",
        views.logout_everywhere,
        name="account_logout_everywhere",
    ),
]
