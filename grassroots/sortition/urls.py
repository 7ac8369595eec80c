from django.urls import path

from grassroots.sortition import views

app_name = "sortition"

urlpatterns = [
    path("", views.draw_list, name="draw_list"),
    path("new/", views.draw_create, name="draw_create"),
    path("<int:draw_id>/", views.draw_detail, name="draw_detail"),
    path("<int:draw_id>/volunteer/", views.draw_volunteer, name="draw_volunteer"),
    path("<int:draw_id>/withdraw/", views.draw_withdraw, name="draw_withdraw"),
    path("<int:draw_id>/commit/", views.draw_commit, name="draw_commit"),
    path("<int:draw_id>/close/", views.draw_close, name="draw_close"),
    path("<int:draw_id>/draw/", views.draw_by_lot, name="draw_by_lot"),
    path("<int:draw_id>/replace/", views.draw_replace, name="draw_replace"),
    path("<int:draw_id>/record.json", views.draw_record, name="draw_record"),
]
