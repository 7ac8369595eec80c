from django.urls import path

from grassroots.organisation import (
    audit_views,
    join_views,
    roles_views,
    structure_views,
    views,
)

urlpatterns = [
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/agm/", views.record_agm, name="group_record_agm"),
    path("groups/<slug:slug>/officers/", views.group_officers, name="group_officers"),
    path(
        "groups/<slug:slug>/officers/appoint/",
        views.appoint_officer,
        name="group_appoint_officer",
    ),
    path(
        "groups/<slug:slug>/roles/<int:assignment_id>/end/",
        views.end_role,
        name="group_end_role",
    ),
    path("groups/<slug:slug>/derecognise/", views.derecognise, name="group_derecognise"),
    path("groups/<slug:slug>/appeal/", views.appeal, name="group_appeal"),
    path("national/", views.national_overview, name="national_overview"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.csv", audit_views.audit_log_export, name="audit_log_export"),
    path("recognition/", views.recognition_dashboard, name="recognition_dashboard"),
    path("recognition/criteria/", views.recognition_criteria, name="recognition_criteria"),
    path("recognition/appeals/", views.appeal_list, name="recognition_appeal_list"),
    path(
        "recognition/appeals/<int:appeal_id>/",
        views.appeal_decide,
        name="recognition_appeal_decide",
    ),
    path(
        "recognition/agreement/",
        views.data_protection_agreement,
        name="data_protection_agreement",
    ),
    path("join/", join_views.join, name="join"),
    path("join/sent/", join_views.join_sent, name="join_sent"),
    path("join/verify/<str:token>/", join_views.join_verify, name="join_verify"),
    path("roles/", roles_views.roles_above, name="roles_above"),
    path("roles/appoint/", roles_views.roles_appoint, name="roles_appoint"),
    path("roles/<int:assignment_id>/end/", roles_views.roles_end, name="roles_end"),
    path("structure/", structure_views.structure_home, name="structure_home"),
    path("structure/changes/", structure_views.structure_changes, name="structure_changes"),
    path("structure/new/<str:level>/", structure_views.structure_create, name="structure_create"),
    path(
        "structure/<str:level>/<slug:slug>/",
        structure_views.structure_body,
        name="structure_body",
    ),
]
