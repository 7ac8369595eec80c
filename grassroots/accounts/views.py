from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from grassroots.accounts.services import end_all_sessions


@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """GET explains; POST ends every session of this person (this one too)."""
    if request.method == "POST":
        end_all_sessions(actor=request.user)  # type: ignore[arg-type]
        logout(request)
        messages.success(
            request,
            gettext("You have been logged out everywhere: on this device and every other one."),
        )
        return redirect("account_login")
    return render(request, "accounts/logout_everywhere.html")
