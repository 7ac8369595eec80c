from django.urls import path

from grassroots.ballots import views

urlpatterns = [
    path("", views.ballot_list, name="ballot_list"),
    path("about/", views.guarantees, name="ballot_guarantees"),
    path("new/", views.ballot_create, name="ballot_create"),
    path("<int:ballot_id>/", views.ballot_manage, name="ballot_manage"),
    path("<int:ballot_id>/questions/new/", views.question_add, name="ballot_question_add"),
    path(
        "<int:ballot_id>/questions/<int:question_id>/candidates/new/",
        views.candidate_add,
        name="ballot_candidate_add",
    ),
    path("<int:ballot_id>/tellers/", views.tellers_set_up, name="ballot_tellers"),
    path("<int:ballot_id>/open/", views.ballot_open, name="ballot_open"),
    path("<int:ballot_id>/remind/", views.ballot_remind, name="ballot_remind"),
    path("<int:ballot_id>/reminders/", views.reminder_schedule, name="ballot_reminders"),
    path("<int:ballot_id>/close/", views.ballot_close, name="ballot_close"),
    path("<int:ballot_id>/count/", views.ballot_count, name="ballot_count"),
    path("<int:ballot_id>/publish/", views.ballot_publish, name="ballot_publish"),
    path("<int:ballot_id>/share/", views.teller_share, name="ballot_teller_share"),
    path("<int:ballot_id>/reveal/", views.teller_reveal, name="ballot_teller_reveal"),
    path("<int:ballot_id>/vote/", views.ballot_vote, name="ballot_vote"),
    path("<int:ballot_id>/cast/", views.ballot_cast, name="ballot_cast"),
    path(
        "<int:ballot_id>/vote/link/<str:token>/",
        views.ballot_vote_by_link,
        name="ballot_vote_by_link",
    ),
    path("<int:ballot_id>/check/", views.receipt_check, name="ballot_receipt_check"),
    path("<int:ballot_id>/receipt/email/", views.receipt_email, name="ballot_receipt_email"),
    path("<int:ballot_id>/results/", views.ballot_results, name="ballot_results"),
    path("<int:ballot_id>/log/", views.ballot_log, name="ballot_log"),
    path("<int:ballot_id>/record.zip", views.ballot_record_download, name="ballot_record"),
    path(
        "<int:ballot_id>/questions/<int:question_id>/ballots.blt",
        views.ballot_blt_download,
        name="ballot_blt",
    ),
    path(
        "<int:ballot_id>/candidates/<int:candidate_id>/photo/",
        views.candidate_photo,
        name="ballot_candidate_photo",
    ),
    path(
        "<int:ballot_id>/nominations/open/",
        views.nominations_open,
        name="ballot_nominations_open",
    ),
    path("<int:ballot_id>/nominations/", views.nominations, name="ballot_nominations"),
    path("<int:ballot_id>/nominations/new/", views.nominate, name="ballot_nominate"),
    path(
        "<int:ballot_id>/nominations/confirm/",
        views.nominations_confirm,
        name="ballot_nominations_confirm",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/",
        views.nomination_detail,
        name="ballot_nomination",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/support/",
        views.nomination_support,
        name="ballot_nomination_support",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/withdraw/",
        views.nomination_withdraw,
        name="ballot_nomination_withdraw",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/groups/",
        views.nomination_group_support,
        name="ballot_nomination_group_support",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/groups/<int:support_id>/withdraw/",
        views.nomination_group_support_withdraw,
        name="ballot_nomination_group_support_withdraw",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/reject/",
        views.nomination_reject,
        name="ballot_nomination_reject",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/photo/",
        views.nomination_photo,
        name="ballot_nomination_photo",
    ),
]
