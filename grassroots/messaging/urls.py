from django.urls import path

from grassroots.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.mailout_list, name="mailout_list"),
    path("new/", views.mailout_compose, name="mailout_compose"),
    path("<int:mailout_id>/", views.mailout_detail, name="mailout_detail"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
