from django.urls import path

from grassroots.people import views

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/<str:number>/", views.member_detail, name="member_detail"),
    path("national/import/", views.member_import, name="member_import"),
]
