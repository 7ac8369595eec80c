"""``{% error_title %}…{% end_error_title %}``: the page title of a rejected form starts with
"Error:" (issue 21; GOV.UK's pattern), so a screen reader says so first. base.html wraps every
title in it; it reads the page's ``form`` when there is one, and a title that already says
"Error:" (a page whose form has another name marks its own) is left as it is."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.translation import gettext

register = template.Library()


def prefixed(title: str, form: Any = None) -> str:
    text = str(title)
    word = gettext("Error:")  # "Gwall:" in Welsh
    has_errors = bool(getattr(form, "errors", None)) if form is not None else False
    if has_errors and not text.lstrip().startswith(word):
        return f"{word} {text.lstrip()}"
    return text


class ErrorTitleNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        return prefixed(self.nodelist.render(context), context.get("form"))


@register.tag("error_title")
def error_title(parser: Parser, token: Token) -> ErrorTitleNode:
    nodelist = parser.parse(("end_error_title",))
    parser.delete_first_token()
    return ErrorTitleNode(nodelist)
