from django.urls import path

from grassroots.proposals import discussion_views, views

app_name = "proposals"

urlpatterns = [
    path("body/<str:body_key>/", views.body_proposals, name="body"),
    path("body/<str:body_key>/new/", views.create_proposal, name="create"),
    path("body/<str:body_key>/rules/", views.rules, name="rules"),
    path("<int:proposal_id>/", views.proposal_detail, name="detail"),
    path("<int:proposal_id>/position/", views.position, name="position"),
    path("<int:proposal_id>/withdraw/", views.withdraw, name="withdraw_position"),
    path("<int:proposal_id>/comment/", views.comment, name="comment"),
    # One comment in the discussion: the paths the debate thread's links name (debate_html).
    path(
        "<int:proposal_id>/comments/<int:comment_id>/edit/",
        discussion_views.comment_edit,
        name="comment_edit",
    ),
    path(
        "<int:proposal_id>/comments/<int:comment_id>/history/",
        discussion_views.comment_history_page,
        name="comment_history",
    ),
    path(
        "<int:proposal_id>/comments/<int:comment_id>/report/",
        discussion_views.comment_report,
        name="comment_report",
    ),
    path(
        "<int:proposal_id>/comments/<int:comment_id>/hide/",
        discussion_views.comment_hide,
        name="comment_hide",
    ),
    path("<int:proposal_id>/reports/", discussion_views.reports, name="reports"),
    path(
        "<int:proposal_id>/reports/<int:report_id>/dismiss/",
        discussion_views.report_dismiss,
        name="report_dismiss",
    ),
    path("<int:proposal_id>/amend/", views.amend, name="amend"),
    path("<int:proposal_id>/close/", views.close, name="close"),
    path("<int:proposal_id>/statement/", views.statement, name="statement"),
    path("<int:proposal_id>/turnout/", views.turnout, name="turnout"),
    path("<int:proposal_id>/remind/", views.remind, name="remind"),
    path("<int:proposal_id>/escalate/", views.escalate, name="escalate"),
    path("<int:proposal_id>/schedule/", views.schedule, name="schedule"),
]
