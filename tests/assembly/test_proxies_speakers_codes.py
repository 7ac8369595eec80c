"""Proxies, the speakers' list and voting codes (issue 17)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.assembly.models import LiveBallot, Proxy, SpeakerRequest, VoteMark, VotingCode
from grassroots.assembly.services.codes import issue_codes, normalise, vote_with_code
from grassroots.assembly.services.common import AssemblyError
from grassroots.assembly.services.proxies import enter_proxies, give_proxy, revoke_proxy
from grassroots.assembly.services.speakers import ask_to_speak, call_next_speaker, end_speech
from grassroots.assembly.services.votes import cast_vote, close_vote, open_vote
from grassroots.assembly.speakers import Asker, speaking_order
from grassroots.meetings.services.minutes import draft_minutes
from tests.assembly.builders import build_session, sign_in


def _open(session):
    return open_vote(
        actor=session.chair, meeting=session.meeting, subject="motion", motion=session.motion
    )


# --- proxies ----------------------------------------------------------------------------------


def test_a_proxy_holder_votes_for_the_absent_delegate_with_their_weight(session):
    present, absent = session.delegates[:5], session.delegates[5]
    sign_in(session, present)
    give_proxy(
        actor=absent.user, meeting=session.meeting, holder_number=present[0].membership_number
    )
    vote = _open(session)
    cast_vote(actor=present[0].user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    cast_vote(
        actor=present[0].user,
        meeting=session.meeting,
        vote_id=vote.pk,
        choice=[1],
        for_member=absent,
    )
    with pytest.raises(AssemblyError, match="already voted"):
        cast_vote(
            actor=present[0].user,
            meeting=session.meeting,
            vote_id=vote.pk,
            choice=[1],
            for_member=absent,
        )
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    rows = {r["option"]: r for r in vote.result["rows"]}
    assert rows["Against"]["weighted"] == "5"  # Skipton's one delegate
    assert any(n["by_proxy"] for n in vote.result["named"])


def test_a_proxy_to_someone_absent_is_refused(session):
    sign_in(session, session.delegates[:3])
    with pytest.raises(AssemblyError, match="not signed in as present"):
        give_proxy(
            actor=session.delegates[5].user,
            meeting=session.meeting,
            holder_number=session.delegates[4].membership_number,
        )
    assert not Proxy.objects.exists()


def test_proxies_are_capped_and_revocable_only_while_no_vote_is_open(session):
    sign_in(session, session.delegates[:3])
    holder = session.delegates[0].membership_number
    proxy = give_proxy(
        actor=session.delegates[5].user, meeting=session.meeting, holder_number=holder
    )
    with pytest.raises(AssemblyError, match="allow 1 per person"):
        give_proxy(actor=session.delegates[4].user, meeting=session.meeting, holder_number=holder)
    vote = _open(session)
    with pytest.raises(AssemblyError, match="A vote is open"):
        revoke_proxy(actor=session.delegates[5].user, meeting=session.meeting, proxy_id=proxy.pk)
    close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    revoke_proxy(actor=session.delegates[5].user, meeting=session.meeting, proxy_id=proxy.pk)
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_the_secretary_enters_a_block_of_proxies_all_or_nothing(db):
    session = build_session(proxies_per_holder=2)
    sign_in(session, session.delegates[:3])
    d = [m.membership_number for m in session.delegates]
    bad = f"{d[3]} {d[0]}\n{d[4]} {d[5]}\n\n{d[5]}"
    with pytest.raises(AssemblyError) as refused:
        enter_proxies(actor=session.chair, meeting=session.meeting, text=bad)
    message = str(refused.value)
    assert "Line 2:" in message and "not signed in as present" in message
    assert "Line 4: give two membership numbers" in message
    assert "No proxy in the block was recorded." in message
    assert not Proxy.objects.exists()
    made = enter_proxies(
        actor=session.chair, meeting=session.meeting, text=f"{d[3]} {d[0]}\n{d[4]}, {d[0]}"
    )
    assert len(made) == 2 and {p.holder_id for p in made} == {session.delegates[0].pk}


# --- the speakers' list ---------------------------------------------------------------------


def test_the_list_alternates_sides_prefers_first_timers_and_goes_in_the_minutes(session):
    sign_in(session, session.delegates)
    m = session.delegates
    ask_to_speak(actor=m[0].user, meeting=session.meeting, side="for")
    ask_to_speak(actor=m[1].user, meeting=session.meeting, side="for")
    ask_to_speak(actor=m[2].user, meeting=session.meeting, side="against")
    first = call_next_speaker(actor=session.chair, meeting=session.meeting)
    assert first.member == m[0] and first.seconds_allowed == 120
    with pytest.raises(AssemblyError, match="already on the speakers' list"):
        ask_to_speak(actor=m[0].user, meeting=session.meeting, side="for")  # while speaking
    second = call_next_speaker(actor=session.chair, meeting=session.meeting)
    assert second.member == m[2]  # against, after a speaker for
    ask_to_speak(actor=m[0].user, meeting=session.meeting, side="for")  # again, after speaking
    third = call_next_speaker(actor=session.chair, meeting=session.meeting)
    assert third.member == m[1]  # a first-timer before m[0]'s second turn
    end_speech(actor=session.chair, meeting=session.meeting)
    with pytest.raises(AssemblyError, match="Nobody is speaking"):
        end_speech(actor=session.chair, meeting=session.meeting)
    with pytest.raises(AssemblyError, match="already on the speakers' list"):
        ask_to_speak(actor=m[0].user, meeting=session.meeting, side="for")
    minutes = draft_minutes(actor=session.chair, meeting=session.meeting)
    assert "Speakers" in minutes.text
    assert f"{m[2].first_name} {m[2].last_name}, against" in minutes.text


def test_only_those_present_ask_to_speak(session):
    with pytest.raises(AssemblyError, match="Sign in as present"):
        ask_to_speak(actor=session.delegates[0].user, meeting=session.meeting)
    assert not SpeakerRequest.objects.exists()


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from(["for", "against", "neither"]),
            st.sampled_from(["woman", "man", "non_binary", ""]),
        ),
        max_size=12,
        unique_by=lambda t: t[0],
    ),
    st.sets(st.integers(0, 6)),
    st.sampled_from(["none", "gender", "side"]),
    st.booleans(),
)
def test_speaking_order_is_a_fair_permutation(askers, spoken, balance, first_time):
    waiting = [Asker(i, member, side, gender) for i, (member, side, gender) in enumerate(askers)]
    order = speaking_order(
        waiting, have_spoken=spoken, balance=balance, prefer_first_time=first_time
    )
    assert sorted(a.key for a in order) == [a.key for a in waiting]
    if first_time:
        firsts = [a.member not in spoken for a in order]
        assert firsts == sorted(firsts, reverse=True)  # every first-timer before any other
    if balance == "none" and not first_time:
        assert order == waiting


# --- voting codes ----------------------------------------------------------------------------


def test_a_printed_code_votes_once_for_its_attendee_and_dies_with_the_vote(session):
    sign_in(session, session.delegates)
    vote = _open(session)
    no_device = session.delegates[5]
    _, cards = issue_codes(
        actor=session.chair, meeting=session.meeting, numbers=[no_device.membership_number]
    )
    code = cards[0].code
    assert VotingCode.objects.get().code_hash != code  # only a hash is kept
    voter = vote_with_code(
        actor=session.chair, meeting=session.meeting, code=code.lower(), choice=[0]
    )
    assert voter == no_device
    with pytest.raises(AssemblyError, match="already been used"):
        vote_with_code(actor=session.chair, meeting=session.meeting, code=code, choice=[1])
    with pytest.raises(AssemblyError, match="not valid"):
        vote_with_code(actor=session.chair, meeting=session.meeting, code="ABCDE-FGHJK", choice=[1])
    with pytest.raises(AssemblyError, match="already has a code"):
        issue_codes(
            actor=session.chair, meeting=session.meeting, numbers=[no_device.membership_number]
        )
    assert VoteMark.objects.filter(member=no_device).count() == 1
    assert LiveBallot.objects.count() == 1
    close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    # Dead codes are deleted: a used one would still say when its attendee voted.
    assert not VotingCode.objects.exists()
    with pytest.raises(AssemblyError, match="No vote is open"):
        vote_with_code(actor=session.chair, meeting=session.meeting, code=code, choice=[0])


def test_codes_only_for_attendees_present(session):
    sign_in(session, session.delegates[:4])
    _open(session)
    with pytest.raises(AssemblyError, match="is not signed in as present"):
        issue_codes(
            actor=session.chair,
            meeting=session.meeting,
            numbers=[
                session.delegates[0].membership_number,
                session.delegates[5].membership_number,
            ],
        )
    assert not VotingCode.objects.exists()


def test_codes_are_read_forgivingly():
    assert normalise(" abcde fghjk ") == "ABCDE-FGHJK"
    assert normalise("abcdefghjk") == "ABCDE-FGHJK"
