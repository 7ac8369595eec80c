"""The public join page and the verification link (docs/organisation.md).

Spam protection without a third party: a honeypot field hidden from people (a bot that fills it
is told "check your mail" and nothing is recorded), a minimum time between showing the form and
sending it (a signed timestamp in the form), and a limit on applications per client address
held in the cache."""

from __future__ import annotations

import hashlib
import time

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from grassroots.organisation import joining
from grassroots.organisation.finder import PostcodeError
from grassroots.organisation.models import Group

MIN_FILL_SECONDS = 3
PER_ADDRESS_LIMIT = 5  # applications per client address per hour
_STARTED_SALT = "grassroots.people.join.started"


class PostcodeStepForm(forms.Form):
    postcode = forms.CharField(
        max_length=10,
        label=gettext_lazy("Your postcode"),
        help_text=gettext_lazy("It places you in your local group"),
    )


class JoinForm(forms.Form):
    first_name = forms.CharField(max_length=100, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=100, label=gettext_lazy("Last name"))
    email = forms.EmailField(max_length=254, label=gettext_lazy("Email address"))
    postcode = forms.CharField(max_length=10, label=gettext_lazy("Postcode"))
    group = forms.ChoiceField(label=gettext_lazy("Your local group"))
    consent_to_contact = forms.BooleanField(
        required=False, label=joining.CONSENT_WORDING, help_text=gettext_lazy("Optional")
    )
    # The honeypot: hidden from people by CSS and from screen readers; bots fill it.
    website = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Leave this empty")
    )
    started = forms.CharField(max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args: object, groups: list[Group], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g.slug, f"{g.name} ({g.area.name})") for g in groups]
        if len(groups) == 1:
            field.initial = groups[0].slug
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})


def _started_token() -> str:
    return signing.dumps(time.time(), salt=_STARTED_SALT)


def _too_fast(token: str) -> bool:
    try:
        started = float(signing.loads(token, salt=_STARTED_SALT, max_age=24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    return time.time() - started < MIN_FILL_SECONDS


def _over_limit(request: HttpRequest) -> bool:
    ip = get_adapter(request).get_client_ip(request) or "unknown"
    key = "join:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > PER_ADDRESS_LIMIT


def join(request: HttpRequest) -> HttpResponse:
    """Step one asks the postcode; step two the rest, with the groups covering it."""
    postcode = (request.POST.get("postcode") or request.GET.get("postcode") or "").strip()
    groups: list[Group] = []
    step = PostcodeStepForm({"postcode": postcode} if postcode else None)
    if postcode:
        try:
            groups = joining.groups_for_postcode(postcode)
        except PostcodeError as error:
            step.add_error("postcode", str(error))
        else:
            if not groups:
                step.add_error(
                    "postcode",
                    gettext(
                        "No group covers that postcode yet: see the groups list and write to the "
                        "nearest, or try again later."
                    ),
                )
    if not groups:
        return render(request, "organisation/join.html", {"step": step, "form": None})
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        groups=groups,
        initial={"postcode": postcode, "started": _started_token()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            return redirect("join_sent")  # a bot: say nothing, record nothing
        if _too_fast(data["started"]):
            form.add_error(
                None, gettext("Please take a moment to check your details, then send again.")
            )
        elif _over_limit(request):
            form.add_error(
                None,
                gettext(
                    "Too many applications have come from your connection in the last hour: "
                    "please try again later."
                ),
            )
        else:
            try:
                joining.apply_to_join(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    postcode=data["postcode"],
                    group=next(g for g in groups if g.slug == data["group"]),
                    consent_to_contact=data["consent_to_contact"],
                )
            except joining.JoinError as error:
                form.add_error(None, str(error))
            else:
                return redirect("join_sent")
        fresh = request.POST.copy()
        fresh["started"] = _started_token()
        form.data = fresh
    return render(request, "organisation/join.html", {"step": step, "form": form})


def join_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "organisation/join_sent.html")


def join_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; only a person presses it); POST joins."""
    try:
        application = joining.application_for_token(token)
    except joining.JoinError as error:
        return render(request, "organisation/join_verify.html", {"error": str(error)})
    if request.method == "POST":
        try:
            result = joining.verify_join(token=token)
        except joining.JoinError as error:
            return render(request, "organisation/join_verify.html", {"error": str(error)})
        if result.created and result.member is not None and result.member.user is not None:
            login(request, result.member.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                gettext(
                    "Welcome! You are a member of %(group)s; your membership number is "
                    "%(membership_number)s."
                )
                % {
                    "group": application.group.name,
                    "membership_number": result.member.membership_number,
                },
            )
            return redirect("home")
        return render(request, "organisation/join_verify.html", {"already": True})
    return render(request, "organisation/join_verify.html", {"application": application})
