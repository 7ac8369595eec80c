from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.messaging import mail, queries, services
from grassroots.messaging.forms import MailoutForm, UnsubscribeForm

PAGE_SIZE = 25


@login_required
def mailout_list(request: AuthenticatedRequest) -> HttpResponse:
    may_send = bool(queries.scopes_to_message(request.user))
    mailouts = queries.mailouts_sent_by(request.user)
    if not may_send and not mailouts.exists():
        raise Http404("Not found.")
    page = Paginator(mailouts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/mailout_list.html", {"page": page, "may_send": may_send})


@login_required
def mailout_compose(request: AuthenticatedRequest) -> HttpResponse:
    scopes = queries.scopes_to_message(request.user)
    if not scopes:
        raise Http404("Not found.")
    form = MailoutForm(request.POST or None, scopes=scopes)
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "send":
            try:
                mailout = services.send_mailout(
                    actor=request.user,
                    scope=data["scope"],
                    statuses=data["statuses"],
                    subject=data["subject"],
                    body=data["body"],
                    purpose=data["purpose"],
                )
            except services.MessagingError as error:
                form.add_error(None, str(error))
                status = 429 if isinstance(error, services.TooManyMailouts) else 400
            else:
                messages.success(
                    request,
                    gettext("Your message is queued for %(recipients)s members.")
                    % {"recipients": format(mailout.recipients, ",")},
                )
                return redirect("messaging:mailout_detail", mailout_id=mailout.pk)
        preview = queries.count_recipients(data["scope"], data["statuses"])
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(
        request,
        "messaging/mailout_compose.html",
        {"form": form, "preview": preview},
        status=status,
    )


@login_required
def mailout_detail(request: AuthenticatedRequest, mailout_id: int) -> HttpResponse:
    mailout = queries.get_mailout_for(request.user, mailout_id)
    template = "messaging/mailout_detail.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progress"
    return render(
        request,
        template,
        {"mailout": mailout, "failures": queries.failure_reasons(mailout)},
    )


# Mail clients send RFC 8058's one-click POST with no cookie and no CSRF token; the signed
# token in the address is what authorises it, and all it can do is stop mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        wanted = mail.read_unsubscribe_token(token)
    except mail.BadToken:
        return render(request, "messaging/unsubscribe_invalid.html", status=400)
    scope_name = queries.scope_name_for_key(wanted.scope_key)
    form = UnsubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        try:
            services.unsubscribe(
                token=token,
                everything=bool(form.cleaned_data["everything"]) and not one_click,
                via="one-click" if one_click else "page",
            )
        except mail.BadToken:
            return render(request, "messaging/unsubscribe_invalid.html", status=400)
        return render(
            request,
            "messaging/unsubscribe_done.html",
            {"scope_name": scope_name, "everything": form.cleaned_data["everything"]},
        )
    return render(request, "messaging/unsubscribe.html", {"form": form, "scope_name": scope_name})
