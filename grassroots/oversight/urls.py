from django.urls import path

from grassroots.oversight import views

urlpatterns = [
    path("", views.overview, name="oversight"),
    path("decisions/", views.register, name="oversight_register"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="oversight_decision"),
    path("meetings/new/", views.meeting_create, name="oversight_meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="oversight_meeting"),
    path(
        "meetings/<int:meeting_id>/record/", views.meeting_record, name="oversight_meeting_record"
    ),
    path(
        "meetings/<int:meeting_id>/decisions/new/",
        views.decision_add,
        name="oversight_decision_add",
    ),
    path("meetings/<int:meeting_id>/papers/new/", views.paper_add, name="oversight_paper_add"),
    path(
        "meetings/<int:meeting_id>/publish/",
        views.meeting_publish,
        name="oversight_meeting_publish",
    ),
    path("papers/<int:paper_id>/", views.paper_download, name="oversight_paper"),
    path("initiatives/", views.initiative_list, name="oversight_initiatives"),
    path("initiatives/new/", views.initiative_start, name="oversight_initiative_start"),
    path("initiatives/<int:initiative_id>/", views.initiative_detail, name="oversight_initiative"),
    path(
        "initiatives/<int:initiative_id>/sign/",
        views.initiative_sign,
        name="oversight_initiative_sign",
    ),
    path(
        "initiatives/<int:initiative_id>/answer/",
        views.initiative_answer,
        name="oversight_initiative_answer",
    ),
    path("commitments/", views.accountability, name="oversight_accountability"),
    path("commitments/new/", views.commitment_add, name="oversight_commitment_new"),
    path(
        "commitments/<int:commitment_id>/update/",
        views.commitment_update,
        name="oversight_commitment_update",
    ),
    path("rules/", views.rules_edit, name="oversight_rules"),
    path("rules/keys/", views.keys_prepare, name="oversight_keys_prepare"),
    path("tellers/", views.teller_shares, name="oversight_teller_shares"),
    path("tellers/<int:share_id>/", views.teller_share_collect, name="oversight_teller_share"),
]
