from django.urls import path

from grassroots.people import (
    affiliation_views,
    dues_views,
    export_views,
    membership_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("membership/", membership_views.my_membership, name="my_membership"),
    path("discipline/", membership_views.discipline_cases, name="discipline_cases"),
    path("discipline/<int:case_id>/", membership_views.discipline_case, name="discipline_case"),
    path("national/dues/", dues_views.dues_home, name="dues_home"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/organisations/", affiliation_views.my_organisations, name="my_organisations"),
    path(
        "national/organisations/",
        affiliation_views.other_organisations,
        name="other_organisations",
    ),
    path(
        "national/organisations/<int:organisation_id>/declarations/",
        affiliation_views.organisation_declarations,
        name="organisation_declarations",
    ),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/export/", views.my_data_export_html, name="my_data_export_html"),
    path("my-data/export.json", views.my_data_export_json, name="my_data_export_json"),
    path("members/", views.member_list, name="member_list"),
    # Before members/<number>/, which would otherwise take "contact" for a membership number.
    path("members/contact/", views.member_contact_list, name="member_contact_list"),
    path("members/export/", export_views.member_export, name="member_export"),
    path(
        "members/export/<str:token>/",
        export_views.member_export_download,
        name="member_export_download",
    ),
    path("members/<str:number>/", views.member_detail, name="member_detail"),
    path(
        "members/<str:number>/outcome/",
        views.member_contact_outcome,
        name="member_contact_outcome",
    ),
    path("members/<str:number>/transfer/", views.member_transfer, name="member_transfer"),
    path("national/import/", views.member_import, name="member_import"),
    path(
        "national/members/<str:number>/membership/",
        membership_views.member_membership,
        name="member_membership",
    ),
    path("national/members/<str:number>/erase/", views.member_erase, name="member_erase"),
]
