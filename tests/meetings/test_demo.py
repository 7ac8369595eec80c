from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grassroots.accounts.models import User
from grassroots.demo import people as demo
from grassroots.meetings.models import Comment, Meeting, MinutesStatus, Motion
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_adds_meetings_once_and_the_demo_member_sees_them():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    meetings = Meeting.objects.count()
    # Leeds Central's four, and the AGMs at which Headingley, Chapeltown and Armley elected
    # their delegates to the area meeting (grassroots/demo/delegation.py); then the regional
    # delegate meeting in session and the AGMs of the region's other groups that elected
    # delegates to it (grassroots/demo/assembly.py).
    agms = Meeting.objects.filter(title__endswith=" AGM")
    assert agms.filter(group__area__name="Leeds").count() == 3
    assert meetings == 4 + 1 + agms.count()
    motion = Motion.objects.get(title="A tenants' union for Leeds")
    assert motion.amendments.count() == 1
    assert Comment.objects.filter(motion=motion, parent__isnull=False).exists()
    assert Meeting.objects.filter(minutes__status=MinutesStatus.PUBLISHED).count() == 1

    call_command("seed_demo", "--members", str(demo.MINIMUM_MEMBERS), stdout=io.StringIO())
    assert Meeting.objects.count() == meetings

    client = Client()
    client.force_login(User.objects.get(email=demo.MEMBER_LOGIN.email))
    listing = client.get(reverse("meetings:list")).content.decode()
    assert "Leeds Central branch meeting" in listing and "Leeds area meeting" in listing
    page = client.get(reverse("meetings:motion_detail", args=[motion.meeting_id, motion.pk]))
    assert page.status_code == 200 and "My rent went up twice" in page.content.decode()
