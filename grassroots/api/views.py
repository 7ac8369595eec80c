"""The page where a member makes and revokes personal API tokens (docs/api.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.api import queries, services
from grassroots.api.forms import TokenForm


@login_required
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, secret = services.create_token(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except services.TokenError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                created = (token, secret)
                form = TokenForm()
        else:
            status = 400
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "created": created, "tokens": list(queries.tokens_of(request.user))},
        status=status,
    )
    # The new token is on this page only once: never cached anywhere.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = queries.get_token_for(request.user, token_id)
    services.revoke_token(actor=request.user, token=token)
    messages.success(
        request,
        gettext("The token “%(token)s” is revoked: it no longer works.") % {"token": token.name},
    )
    return redirect("api_tokens")
