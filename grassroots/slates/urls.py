from django.urls import path

from grassroots.slates import views

app_name = "slates"

urlpatterns = [
    path("", views.slate_list, name="list"),
    path("new/", views.slate_create, name="create"),
    path("<int:slate_id>/", views.slate_detail, name="detail"),
    path("<int:slate_id>/ballots/", views.selection_add, name="selection_add"),
]
