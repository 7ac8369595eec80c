from django.urls import path

from grassroots.api import views
from grassroots.api.main import api_urls

urlpatterns = [
    path("v1/", api_urls()),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
