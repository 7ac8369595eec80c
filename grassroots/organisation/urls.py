from django.urls import path

from grassroots.organisation import views

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("national/", views.national_overview, name="national_overview"),
]
