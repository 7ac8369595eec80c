from django.urls import path

from grassroots.meetings.views.debate import (
    comment_edit,
    comment_hide,
    comment_history,
    comment_post,
    comment_report,
    report_dismiss,
    reports,
)
from grassroots.meetings.views.meetings import (
    agenda,
    attendance,
    calendar_feed,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_ics,
    meeting_invite,
    meeting_list,
    meeting_rsvp,
    meeting_sign_in,
)
from grassroots.meetings.views.minutes import (
    minutes,
    minutes_approve,
    minutes_draft,
    minutes_edit,
    minutes_publish,
)
from grassroots.meetings.views.motions import (
    amendment_accept,
    amendment_outcome,
    amendment_propose,
    amendment_rule,
    motion_ballot,
    motion_detail,
    motion_outcome,
    motion_rule,
    motion_second,
    motion_submit,
)
from grassroots.meetings.views.quorum import quorum_rule

app_name = "meetings"

MOTION = "<int:meeting_id>/motions/<int:motion_id>/"
AMENDMENT = MOTION + "amendments/<int:amendment_id>/"
COMMENT = MOTION + "comments/<int:comment_id>/"

urlpatterns = [
    path("", meeting_list, name="list"),
    path("new/", meeting_create, name="create"),
    path("calendar/<str:token>.ics", calendar_feed, name="feed"),
    path("quorum/nation/", quorum_rule, {"level": "nation"}, name="quorum_rule_national"),
    path("quorum/<str:level>/<int:body_id>/", quorum_rule, name="quorum_rule"),
    path("<int:meeting_id>/", meeting_detail, name="detail"),
    path("<int:meeting_id>/meeting.ics", meeting_ics, name="ics"),
    path("<int:meeting_id>/invite/", meeting_invite, name="invite"),
    path("<int:meeting_id>/cancel/", meeting_cancel, name="cancel"),
    path("<int:meeting_id>/agenda/", agenda, name="agenda"),
    path("<int:meeting_id>/rsvp/", meeting_rsvp, name="rsvp"),
    path("<int:meeting_id>/sign-in/", meeting_sign_in, name="sign_in"),
    path("<int:meeting_id>/attendance/", attendance, name="attendance"),
    path("<int:meeting_id>/motions/new/", motion_submit, name="motion_submit"),
    path(MOTION, motion_detail, name="motion_detail"),
    path(MOTION + "second/", motion_second, name="motion_second"),
    path(MOTION + "ruling/", motion_rule, name="motion_rule"),
    path(MOTION + "outcome/", motion_outcome, name="motion_outcome"),
    path(MOTION + "ballot/", motion_ballot, name="motion_ballot"),
    path(MOTION + "amend/", amendment_propose, name="amendment_propose"),
    path(AMENDMENT + "accept/", amendment_accept, name="amendment_accept"),
    path(AMENDMENT + "ruling/", amendment_rule, name="amendment_rule"),
    path(AMENDMENT + "outcome/", amendment_outcome, name="amendment_outcome"),
    path(MOTION + "comments/", comment_post, name="comment_post"),
    path(COMMENT + "edit/", comment_edit, name="comment_edit"),
    path(COMMENT + "history/", comment_history, name="comment_history"),
    path(COMMENT + "report/", comment_report, name="comment_report"),
    path(COMMENT + "hide/", comment_hide, name="comment_hide"),
    path("<int:meeting_id>/reports/", reports, name="reports"),
    path(
        "<int:meeting_id>/reports/<int:report_id>/dismiss/",
        report_dismiss,
        name="report_dismiss",
    ),
    path("<int:meeting_id>/minutes/", minutes, name="minutes"),
    path("<int:meeting_id>/minutes/draft/", minutes_draft, name="minutes_draft"),
    path("<int:meeting_id>/minutes/edit/", minutes_edit, name="minutes_edit"),
    path("<int:meeting_id>/minutes/approve/", minutes_approve, name="minutes_approve"),
    path("<int:meeting_id>/minutes/publish/", minutes_publish, name="minutes_publish"),
]
