"""Issue 5's acceptance journey for a Data Manager: the Data Manager of group A works the
new-joiner list (opens a new joiner, records how the call went), exports the list (the file
is watermarked and both the export and the download are audited), and then cannot reach
group B by any road: a B member's URL, a search for their name, the list's filters and query
parameters, pagination, an export with B's filters, a link made for someone else or altered,
the HTMX fragment, and the admin.

Data: the demo organisation at its smallest size (group A is Leeds Central, group B is
Bristol Central, each with its own Data Manager), plus two new joiners in each group whose
surnames nobody else in the demo has.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import User
from grassroots.audit.models import AuditEntry
from grassroots.demo.people import OTHER_DATA_MANAGER_LOGIN
from grassroots.organisation.models import Group
from grassroots.people import exports
from grassroots.people.models import ConsentSource, ContactOutcome, Member
from grassroots.people.queries import FollowUp, MemberFilters
from tests.browser.conftest import log_in
from tests.browser.test_role_journeys import members_of, numbers_listed, search
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GROUP_A = "Leeds Central"
GROUP_B = "Bristol Central"


def new_joiner(group: Group, number: str, first: str, last: str, days_ago: int) -> Member:
    return MemberFactory(
        home_group=group,
        membership_number=number,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}@example.org",
        joined_on=datetime.date.today() - datetime.timedelta(days=days_ago),
        consent_to_contact=True,
        consent_recorded_at=datetime.datetime.now(datetime.UTC),
        consent_source=ConsentSource.JOIN_FORM,
    )


def status_of(response) -> int:
    assert response is not None
    return response.status


def test_data_manager_works_new_joiners_exports_them_and_cannot_reach_another_group(page, demo):
    group_a = Group.objects.get(name=GROUP_A)
    group_b = Group.objects.get(name=GROUP_B)
    ffion = new_joiner(group_a, "GR9900001", "Ffion", "Quennell", 5)
    tomos = new_joiner(group_a, "GR9900002", "Tomos", "Quarrington", 12)
    seun = new_joiner(group_b, "GR9900003", "Oluwaseun", "Brackenbury", 3)
    new_joiner(group_b, "GR9900004", "Ines", "Brackenbury", 9)
    in_a = members_of(GROUP_A)
    in_b_only = members_of(GROUP_B) - in_a
    dm = User.objects.get(email=demo.data_manager.email)
    log_in(page, demo.data_manager)

    # --- The new-joiner list: group A's new members, nobody else. --------------------------
    page.get_by_role("link", name="Member list").click()
    page.get_by_role("link", name="New joiners").click()
    expect(page.locator("#results")).to_contain_text("who joined in the last 60 days")
    listed = numbers_listed(page)
    assert {ffion.membership_number, tomos.membership_number} <= listed
    assert listed <= in_a
    assert not listed & in_b_only
    assert AuditEntry.objects.filter(
        action="list_members", actor=dm, purpose="new-joiner follow-up list"
    ).exists()

    # --- Marking a contact outcome on a new joiner's record. -------------------------------
    page.get_by_role("link", name="Quennell, Ffion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ffion Quennell")
    page.get_by_role("combobox", name="Outcome").select_option(label="Reached")
    page.get_by_role("textbox", name="Note").fill("Welcomed; coming to the May meeting")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: Reached.")
    expect(page.locator("#outcomes-heading + ul")).to_contain_text(
        "Reached: Welcomed; coming to the May meeting"
    )
    outcome = ContactOutcome.objects.get(member=ffion)
    assert outcome.outcome == "reached"
    assert AuditEntry.objects.filter(
        actor=dm, subject_id=ffion.membership_number, action__contains="outcome"
    ).exists()

    # --- Exporting the new-joiner list: watermarked, audited twice. ------------------------
    page.goto("/members/?show=new")
    page.get_by_label("Purpose of this export").fill("Welcome calls to new joiners")
    page.get_by_role("button", name="Export these members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your export is ready")
    link = page.get_by_role("link", name="Download the CSV file")
    download_path = link.get_attribute("href")
    assert download_path is not None
    with page.expect_download() as download_info:
        link.click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    watermark, *lines = text.splitlines()
    assert watermark.startswith(f"# Exported by {demo.data_manager.email} at ")
    assert "for Welcome calls to new joiners" in watermark
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    exported = {row["membership_number"] for row in rows}
    assert {ffion.membership_number, tomos.membership_number} <= exported
    assert exported <= in_a
    assert seun.membership_number not in exported
    assert exported == listed
    made = AuditEntry.objects.get(action="export_members", actor=dm)
    assert made.purpose == "Welcome calls to new joiners"
    assert made.detail["follow_up"] == FollowUp.NEW
    assert made.detail["rows"] == len(rows)
    downloaded = AuditEntry.objects.get(action="download_member_export", actor=dm)
    assert downloaded.detail["rows"] == len(rows)

    # --- Group B by URL: a member's record and the writes behind it all answer 404. --------
    for path in (
        f"/members/{seun.membership_number}/",
        f"/members/{seun.membership_number}/outcome/",
        f"/members/{seun.membership_number}/transfer/",
    ):
        assert status_of(page.goto(path)) == 404, path
        expect(page.get_by_text("Brackenbury")).to_have_count(0)
    # The same POST the outcome form makes, aimed at B's member, with a valid CSRF token.
    page.goto(f"/members/{ffion.membership_number}/")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    refused = page.request.post(
        f"/members/{seun.membership_number}/outcome/",
        form={"csrfmiddlewaretoken": token, "outcome": "reached", "note": "x"},
        headers={"Referer": page.url},
    )
    assert refused.status == 404
    assert not ContactOutcome.objects.filter(member=seun).exists()

    # --- Group B by search, on the whole list and on the new-joiner list. ------------------
    page.goto("/members/")
    page.get_by_label("Search").fill(seun.full_name)
    search(page)
    expect(page.locator("#results")).to_contain_text("0 members found.")
    for query in ("Brackenbury", seun.membership_number, seun.email):
        page.goto(f"/members/?show=new&q={query}")
        expect(page.locator("#results")).to_contain_text("0 members found")

    # --- Group B by filters and query parameters: never a B member listed. -----------------
    for query in (
        f"group={group_b.pk}",
        f"show=new&group={group_b.pk}",
        f"status=member&group={group_b.pk}",
        f"group={group_b.pk}&group={group_a.pk}",
        "group=-1",
        "group=abc",
    ):
        assert status_of(page.goto(f"/members/?{query}")) == 200, query
        assert numbers_listed(page) <= in_a, query
        expect(page.get_by_text("Brackenbury")).to_have_count(0)
    page.goto(f"/members/?group={group_b.pk}")
    expect(page.get_by_text("Select a valid choice")).to_be_visible()
    choices = page.get_by_label("Home group").locator("option").all_inner_texts()
    assert GROUP_B not in choices

    # --- Group B by pagination: past A's last page is A's last page. -----------------------
    for query in ("page=2", "page=9999", "show=new&page=9999", "page=-1", "page=last"):
        assert status_of(page.goto(f"/members/?{query}")) == 200, query
        assert numbers_listed(page) <= in_a, query

    # --- The HTMX fragment with B's filter holds no B member either. -----------------------
    fragment = page.request.get(
        f"/members/?show=new&group={group_b.pk}", headers={"HX-Request": "true"}
    )
    assert fragment.status == 200
    assert "Brackenbury" not in fragment.text()
    assert seun.membership_number not in fragment.text()

    # --- Group B by export: B's filter in the form, B's own link, an altered link. ---------
    exports_before = AuditEntry.objects.filter(action="export_members", actor=dm).count()
    page.goto("/members/?show=new")
    page.locator("form.export input[name=group]").evaluate(
        "(input, id) => { input.value = id; }", str(group_b.pk)
    )
    page.get_by_label("Purpose of this export").fill("Trying group B")
    page.get_by_role("button", name="Export these members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The export was not made")
    assert AuditEntry.objects.filter(action="export_members", actor=dm).count() == exports_before

    bristol_dm = User.objects.get(email=OTHER_DATA_MANAGER_LOGIN.email)
    bristol_token = exports.create_export(
        actor=bristol_dm,
        filters=MemberFilters(follow_up=FollowUp.NEW),
        purpose="Bristol's own welcome calls",
    )
    assert status_of(page.goto(f"/members/export/{bristol_token}/")) == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This download link is not valid")

    token_part = download_path.rstrip("/").rsplit("/", 1)[1]
    middle = len(token_part) // 2
    altered = (
        token_part[:middle] + ("A" if token_part[middle] != "A" else "B") + token_part[middle + 1 :]
    )
    assert status_of(page.goto(f"/members/export/{altered}/")) == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This download link is not valid")

    # Even a genuine link of A's own whose signed filters name group B yields no B member:
    # the download applies the filters inside A's scope again.
    b_filter_token = exports.create_export(
        actor=dm,
        filters=MemberFilters(group_id=group_b.pk, follow_up=FollowUp.NEW),
        purpose="A link naming group B",
    )
    response = page.request.get(f"/members/export/{b_filter_token}/")
    assert response.status == 200
    body = response.text()
    assert body.startswith("# Exported by")
    assert len(body.strip().splitlines()) == 2  # the watermark and the header: no member
    assert "Brackenbury" not in body

    # --- The admin: not for a Data Manager, and nothing of B behind it. ---------------------
    for path in ("/admin/", "/admin/people/member/", f"/admin/organisation/group/{group_b.pk}/"):
        page.goto(path)
        assert re.search(r"/admin/login/", page.url), (path, page.url)
        expect(page.get_by_text("Brackenbury")).to_have_count(0)
        expect(page.get_by_text(seun.membership_number)).to_have_count(0)

    # --- Nothing the Data Manager did was a read of a B member. -----------------------------
    viewed = set(
        AuditEntry.objects.filter(actor=dm, action="view_member").values_list(
            "subject_id", flat=True
        )
    )
    assert viewed == {ffion.membership_number}
