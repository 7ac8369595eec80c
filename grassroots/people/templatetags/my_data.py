"""``{% my_data_sections as sections %}``: the templates of the apps' own sections of the
subject-access report, in the order they registered (``grassroots.people.subject_access``)."""

from __future__ import annotations

from django import template

from grassroots.people.subject_access import sections

register = template.Library()


@register.simple_tag
def my_data_sections() -> list[str]:
    return [section.template for section in sections()]
