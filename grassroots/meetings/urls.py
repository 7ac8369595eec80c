from django.urls import path

from grassroots.meetings import views

app_name = "meetings"

MOTION = "<int:meeting_id>/motions/<int:motion_id>/"
AMENDMENT = MOTION + "amendments/<int:amendment_id>/"
COMMENT = MOTION + "comments/<int:comment_id>/"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("quorum/nation/", views.quorum_rule, {"level": "nation"}, name="quorum_rule_national"),
    path("quorum/<str:level>/<int:body_id>/", views.quorum_rule, name="quorum_rule"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/meeting.ics", views.meeting_ics, name="ics"),
    path("<int:meeting_id>/invite/", views.meeting_invite, name="invite"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:meeting_id>/agenda/", views.agenda, name="agenda"),
    path("<int:meeting_id>/rsvp/", views.meeting_rsvp, name="rsvp"),
    path("<int:meeting_id>/sign-in/", views.meeting_sign_in, name="sign_in"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/motions/new/", views.motion_submit, name="motion_submit"),
    path(MOTION, views.motion_detail, name="motion_detail"),
    path(MOTION + "second/", views.motion_second, name="motion_second"),
    path(MOTION + "ruling/", views.motion_rule, name="motion_rule"),
    path(MOTION + "outcome/", views.motion_outcome, name="motion_outcome"),
    path(MOTION + "ballot/", views.motion_ballot, name="motion_ballot"),
    path(MOTION + "amend/", views.amendment_propose, name="amendment_propose"),
    path(AMENDMENT + "accept/", views.amendment_accept, name="amendment_accept"),
    path(AMENDMENT + "ruling/", views.amendment_rule, name="amendment_rule"),
    path(AMENDMENT + "outcome/", views.amendment_outcome, name="amendment_outcome"),
    path(MOTION + "comments/", views.comment_post, name="comment_post"),
    path(COMMENT + "edit/", views.comment_edit, name="comment_edit"),
    path(COMMENT + "history/", views.comment_history, name="comment_history"),
    path(COMMENT + "report/", views.comment_report, name="comment_report"),
    path(COMMENT + "hide/", views.comment_hide, name="comment_hide"),
    path("<int:meeting_id>/reports/", views.reports, name="reports"),
    path(
        "<int:meeting_id>/reports/<int:report_id>/dismiss/",
        views.report_dismiss,
        name="report_dismiss",
    ),
    path("<int:meeting_id>/minutes/", views.minutes, name="minutes"),
    path("<int:meeting_id>/minutes/draft/", views.minutes_draft, name="minutes_draft"),
    path("<int:meeting_id>/minutes/edit/", views.minutes_edit, name="minutes_edit"),
    path("<int:meeting_id>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("<int:meeting_id>/minutes/publish/", views.minutes_publish, name="minutes_publish"),
]
