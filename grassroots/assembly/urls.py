from django.urls import path

from grassroots.assembly.views import chair, desk, live

app_name = "assembly"

LIVE = "<int:meeting_id>/live/"

urlpatterns = [
    path(LIVE, live.live, name="live"),
    path(LIVE + "pulse/", live.pulse, name="pulse"),
    path(LIVE + "projector/", live.projector, name="projector"),
    path(LIVE + "vote/", live.cast, name="cast"),
    path(LIVE + "speak/", live.speak, name="speak"),
    path(LIVE + "speak/withdraw/", live.speak_withdraw, name="speak_withdraw"),
    path(LIVE + "proxy/", live.proxy_give, name="proxy_give"),
    path(LIVE + "proxies/<int:proxy_id>/revoke/", live.proxy_revoke, name="proxy_revoke"),
    path(LIVE + "chair/", chair.chair, name="chair"),
    path(LIVE + "chair/open/", chair.vote_open, name="vote_open"),
    path(LIVE + "chair/close/", chair.vote_close, name="vote_close"),
    path(LIVE + "chair/next-speaker/", chair.speaker_next, name="speaker_next"),
    path(LIVE + "chair/end-speech/", chair.speaker_end, name="speaker_end"),
    path(LIVE + "proxies/", desk.proxies, name="proxies"),
    path(LIVE + "codes/", desk.codes, name="codes"),
    path(LIVE + "kiosk/", desk.kiosk, name="kiosk"),
    path(LIVE + "orders/", desk.orders, name="orders"),
]
