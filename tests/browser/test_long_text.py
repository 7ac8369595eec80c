"""A 10,000-character word in a comment or a motion's title wraps: the page never grows wider
than the screen, on a desktop or a phone (issue 21: such a comment made a page 58,699 px wide)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE, Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.meetings.builders import comment_on, group_meeting, motion_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "solidarity" * 1000


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
def test_a_very_long_word_wraps_instead_of_widening_the_page(browser, live_server, viewport):
    member = MemberWithLoginFactory()
    seconder = MemberWithLoginFactory(home_group=member.home_group)
    meeting = group_meeting(member.home_group, member, title="Branch " + WORD[:150])
    motion = motion_in(meeting, member, seconder, title="Rent " + WORD[:190], text=WORD)
    comment_on(motion, seconder, body=WORD)
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    try:
        log_in(page, Login(member.email, PASSWORD, None))
        for path in (f"/meetings/{meeting.pk}/", f"/meetings/{meeting.pk}/motions/{motion.pk}/"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (
                f"{path} is {width}px wide on a {viewport['width']}px screen"
            )
    finally:
        context.close()
