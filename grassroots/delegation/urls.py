from django.urls import path

from grassroots.delegation import views

urlpatterns = [
    path("", views.home, name="delegation_home"),
    path("meetings/<int:meeting_id>/", views.meeting, name="delegation_meeting"),
    path("meetings/<int:meeting_id>/allocate/", views.allocate, name="delegation_allocate"),
    path(
        "meetings/<int:meeting_id>/delegates/add/",
        views.record_delegate,
        name="delegation_record_delegate",
    ),
    path(
        "delegates/<int:delegate_id>/withdraw/",
        views.withdraw_delegate,
        name="delegation_withdraw_delegate",
    ),
    path(
        "delegates/<int:delegate_id>/replace/",
        views.replace_delegate,
        name="delegation_replace_delegate",
    ),
    path("motions/<int:motion_id>/forward/", views.forward_motion, name="delegation_forward"),
    path("forwards/<int:forward_id>/", views.forward_detail, name="delegation_forward_detail"),
    path("bodies/<str:body_key>/", views.body, name="delegation_body"),
    path(
        "bodies/<str:body_key>/composite/",
        views.propose_composite,
        name="delegation_composite_propose",
    ),
    path(
        "composites/<int:composite_id>/",
        views.composite_detail,
        name="delegation_composite_detail",
    ),
    path(
        "composites/<int:composite_id>/agree/",
        views.agree_to_composite,
        name="delegation_composite_agree",
    ),
]
