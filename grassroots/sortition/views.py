"""Draw-by-lot pages: thin views that parse a form, call a service or query, and render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from grassroots.accounts.requests import AuthenticatedRequest
from grassroots.organisation.permissions import Capability, may
from grassroots.organisation.scopes import scope_choices, scope_from_choice
from grassroots.people.queries import own_member
from grassroots.sortition import queries, services
from grassroots.sortition.forms import DrawForm, ReplaceForm, VolunteerForm
from grassroots.sortition.models import Draw, DrawStatus


def _problem(request: HttpRequest, error: services.DrawError, draw: Draw | None) -> HttpResponse:
    return render(
        request,
        "sortition/problem.html",
        {"message": str(error), "draw": draw},
        status=error.http_status,
    )


@login_required
def draw_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "sortition/draw_list.html",
        {
            "draws": list(queries.draws_visible_to(request.user)),
            "can_create": bool(scope_choices(request.user, Capability.RUN_SORTITION)),
        },
    )


@login_required
def draw_create(request: AuthenticatedRequest) -> HttpResponse:
    choices = scope_choices(request.user, Capability.RUN_SORTITION)
    if not choices:
        raise Http404("No such page.")
    form = DrawForm(request.POST or None, scope_choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                level, scope = scope_from_choice(data["scope"])
                draw = services.create_draw(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    seats=data["seats"],
                    level=level,
                    scope=scope,
                    categories=data["categories"],
                    quotas=data["quotas"],
                )
            except (ValueError, PermissionDenied):
                form.add_error("scope", gettext("Choose where the draw is held."))
            except services.DrawError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, gettext("Draw created. Members in its scope can now volunteer.")
                )
                return redirect("sortition:draw_detail", draw_id=draw.pk)
        status = 400
    return render(request, "sortition/draw_form.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest, draw: Draw, form: VolunteerForm | None = None, status: int = 200
) -> HttpResponse:
    member = own_member(request.user)
    may_run = may(request.user, Capability.RUN_SORTITION, draw)
    mine = queries.own_volunteering(request.user, draw)
    can_volunteer = (
        draw.status == DrawStatus.VOLUNTEERING
        and mine is None
        and queries.may_volunteer(draw, member)
    )
    if can_volunteer and form is None:
        form = VolunteerForm(draw=draw)
    drawn = draw.status == DrawStatus.DRAWN
    return render(
        request,
        "sortition/draw_detail.html",
        {
            "draw": draw,
            "may_run": may_run,
            "mine": mine,
            "form": form if can_volunteer else None,
            "counts": queries.volunteer_counts(draw),
            "volunteers": draw.volunteers.count(),
            "problems": (
                queries.quota_problems(draw)
                if may_run and draw.status == DrawStatus.VOLUNTEERING
                else []
            ),
            "body": queries.body_now(request.user, draw) if drawn else [],
            "is_member_of_body": drawn and mine is not None and mine.pseudonym in draw.members_now,
        },
        status=status,
    )


@login_required
def draw_detail(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    return _detail(request, queries.get_draw_for(request.user, draw_id))


@login_required
@require_POST
def draw_volunteer(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    draw = queries.get_draw_for(request.user, draw_id)
    form = VolunteerForm(request.POST, draw=draw)
    if not form.is_valid():
        return _detail(request, draw, form, status=400)
    try:
        services.volunteer(actor=request.user, draw=draw, categories=form.stated())
    except services.DrawError as error:
        return _problem(request, error, draw)
    messages.success(request, gettext("Thank you: you have volunteered."))
    return redirect("sortition:draw_detail", draw_id=draw.pk)


@login_required
@require_POST
def draw_withdraw(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    draw = queries.get_draw_for(request.user, draw_id)
    try:
        services.withdraw_volunteering(actor=request.user, draw=draw)
    except services.DrawError as error:
        return _problem(request, error, draw)
    messages.success(request, gettext("You are no longer a volunteer for this draw."))
    return redirect("sortition:draw_detail", draw_id=draw.pk)


def _officer_step(request: AuthenticatedRequest, draw_id: int, step: str) -> HttpResponse:
    draw = queries.get_draw_to_run(request.user, draw_id)
    try:
        if step == "commit":
            services.commit_seed(actor=request.user, draw=draw)
            messages.success(
                request, gettext("The seed is committed: its SHA-256 is published below.")
            )
        elif step == "close":
            services.close_volunteering(actor=request.user, draw=draw)
            messages.success(request, gettext("Volunteering is closed."))
        else:
            services.draw_by_lot(actor=request.user, draw=draw)
            messages.success(request, gettext("The seed is revealed and the body is drawn."))
    except services.DrawError as error:
        return _problem(request, error, draw)
    return redirect("sortition:draw_detail", draw_id=draw.pk)


@login_required
@require_POST
def draw_commit(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    return _officer_step(request, draw_id, "commit")


@login_required
@require_POST
def draw_close(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    return _officer_step(request, draw_id, "close")


@login_required
@require_POST
def draw_by_lot(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    return _officer_step(request, draw_id, "draw")


@login_required
def draw_replace(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    draw = queries.get_draw_to_run(request.user, draw_id)
    if draw.status != DrawStatus.DRAWN:
        return _problem(
            request, services.WrongStage(gettext("The body has not been drawn yet.")), draw
        )
    seats = queries.body_now(request.user, draw)
    form = ReplaceForm(
        request.POST or None,
        seats=[(s.pseudonym, f"{s.name} ({s.pseudonym})") for s in seats],
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                chosen = services.replace_members(
                    actor=request.user,
                    draw=draw,
                    standing_down=form.cleaned_data["standing_down"],
                )
            except services.DrawError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    gettext("Replacements drawn: %(chosen)s.") % {"chosen": ", ".join(chosen)},
                )
                return redirect("sortition:draw_detail", draw_id=draw.pk)
        status = 400
    return render(
        request, "sortition/replace_form.html", {"draw": draw, "form": form}, status=status
    )


@login_required
def draw_record(request: AuthenticatedRequest, draw_id: int) -> HttpResponse:
    draw = queries.get_draw_for(request.user, draw_id)
    body = json.dumps(queries.draw_record_json(draw), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sortition-draw-{draw.pk}.json"'
    return response
