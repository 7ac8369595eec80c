"""The inbox and the notification settings: a member's own, nobody else's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from grassroots.notifications import services
from grassroots.notifications.forms import PreferencesForm
from grassroots.notifications.models import Notification
from grassroots.people.models import Member
from grassroots.people.queries import own_member

PAGE_SIZE = 30


def _member(request: HttpRequest) -> Member:
    member = own_member(request.user)
    if member is None:
        raise Http404("You have no member record.")
    return member


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    shown = request.GET.get("show", "all")
    notifications = Notification.objects.filter(member=member)
    if shown == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(
        notifications.only("kind", "message", "params", "title", "url", "created_at", "read_at"),
        PAGE_SIZE,
    )
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "shown": "unread" if shown == "unread" else "all",
            "unread": services.unread_count(member),
        },
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go to the thing it is about."""
    notification = services.mark_read(_member(request), notification_id)
    if notification is None:
        raise Http404("No such notification.")
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:inbox")
    return redirect(notification.url)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    done = services.mark_all_read(_member(request))
    messages.success(
        request,
        ngettext(
            "Marked %(count)d notification as read.",
            "Marked %(count)d notifications as read.",
            done,
        )
        % {"count": done},
    )
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = PreferencesForm(request.POST or None, initial_choices=services.preferences_of(member))
    if request.method == "POST":
        if form.is_valid():
            services.set_preferences(member, dict(form.cleaned_data))
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    return render(request, "notifications/preferences.html", {"form": form})
