from django.urls import path

from grassroots.ballots.views import manage, nominations, results, tellers, voting

urlpatterns = [
    path("", manage.ballot_list, name="ballot_list"),
    path("about/", results.guarantees, name="ballot_guarantees"),
    path("new/", manage.ballot_create, name="ballot_create"),
    path("<int:ballot_id>/", manage.ballot_manage, name="ballot_manage"),
    path("<int:ballot_id>/questions/new/", manage.question_add, name="ballot_question_add"),
    path(
        "<int:ballot_id>/questions/<int:question_id>/candidates/new/",
        manage.candidate_add,
        name="ballot_candidate_add",
    ),
    path("<int:ballot_id>/tellers/", manage.tellers_set_up, name="ballot_tellers"),
    path("<int:ballot_id>/open/", manage.ballot_open, name="ballot_open"),
    path("<int:ballot_id>/remind/", manage.ballot_remind, name="ballot_remind"),
    path("<int:ballot_id>/reminders/", manage.reminder_schedule, name="ballot_reminders"),
    path("<int:ballot_id>/close/", manage.ballot_close, name="ballot_close"),
    path("<int:ballot_id>/count/", manage.ballot_count, name="ballot_count"),
    path("<int:ballot_id>/publish/", manage.ballot_publish, name="ballot_publish"),
    path("<int:ballot_id>/share/", tellers.teller_share, name="ballot_teller_share"),
    path("<int:ballot_id>/reveal/", tellers.teller_reveal, name="ballot_teller_reveal"),
    path("<int:ballot_id>/vote/", voting.ballot_vote, name="ballot_vote"),
    path("<int:ballot_id>/cast/", voting.ballot_cast, name="ballot_cast"),
    path(
        "<int:ballot_id>/vote/link/<str:token>/",
        voting.ballot_vote_by_link,
        name="ballot_vote_by_link",
    ),
    path("<int:ballot_id>/check/", voting.receipt_check, name="ballot_receipt_check"),
    path("<int:ballot_id>/receipt/email/", voting.receipt_email, name="ballot_receipt_email"),
    path("<int:ballot_id>/results/", results.ballot_results, name="ballot_results"),
    path("<int:ballot_id>/log/", results.ballot_log, name="ballot_log"),
    path(
        "<int:ballot_id>/log/head-<int:sequence>.json",
        results.ballot_head_file,
        name="ballot_head_file",
    ),
    path("<int:ballot_id>/record.zip", results.ballot_record_download, name="ballot_record"),
    path(
        "<int:ballot_id>/questions/<int:question_id>/ballots.blt",
        results.ballot_blt_download,
        name="ballot_blt",
    ),
    path(
        "<int:ballot_id>/candidates/<int:candidate_id>/photo/",
        nominations.candidate_photo,
        name="ballot_candidate_photo",
    ),
    path(
        "<int:ballot_id>/nominations/open/",
        nominations.nominations_open,
        name="ballot_nominations_open",
    ),
    path("<int:ballot_id>/nominations/", nominations.nominations, name="ballot_nominations"),
    path("<int:ballot_id>/nominations/new/", nominations.nominate, name="ballot_nominate"),
    path(
        "<int:ballot_id>/nominations/confirm/",
        nominations.nominations_confirm,
        name="ballot_nominations_confirm",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/",
        nominations.nomination_detail,
        name="ballot_nomination",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/support/",
        nominations.nomination_support,
        name="ballot_nomination_support",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/withdraw/",
        nominations.nomination_withdraw,
        name="ballot_nomination_withdraw",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/groups/",
        nominations.nomination_group_support,
        name="ballot_nomination_group_support",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/groups/<int:support_id>/withdraw/",
        nominations.nomination_group_support_withdraw,
        name="ballot_nomination_group_support_withdraw",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/reject/",
        nominations.nomination_reject,
        name="ballot_nomination_reject",
    ),
    path(
        "<int:ballot_id>/nominations/<int:nomination_id>/photo/",
        nominations.nomination_photo,
        name="ballot_nomination_photo",
    ),
]
