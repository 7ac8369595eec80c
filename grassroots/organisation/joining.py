"""Joining on the public join page (docs/organisation.md): an application, a signed link mailed
to the address given, and the member record made only when the link is followed.

The group is the one covering the applicant's postcode district (``organisation.finder``); the
consent wording shown is kept word for word on the application. Duplicates are found against
existing members: the same address (the person is told to log in, and no second record is
made) or the same name and postcode (a record is made and marked for the Data Manager, since
two people can share both). Spam is kept out without a third party: a field people never see
(a honeypot), a minimum time to fill the form and a per-address limit in the cache
(``people.join_views``).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.finder import PostcodeError, district_of, find_groups
from grassroots.organisation.models import Group
from grassroots.people.models import (
    ConsentSource,
    JoinApplication,
    Member,
    MembershipStatus,
    StatusCause,
)
from grassroots.people.standing import record_status_changes

CONSENT_WORDING = (
    "I agree that the movement may contact me by email and phone about its campaigns, "
    "meetings and ballots. I can withdraw this at any time from my profile."
)
MEMBERSHIP_TERM = datetime.timedelta(days=365)
LINK_MAX_AGE = 3 * 24 * 3600  # seconds a verification link stays valid
_SALT = "grassroots.people.join"


class JoinError(Exception):
    """An application the rules refuse, with a reason to show the person."""


@dataclass(frozen=True)
class Verified:
    member: Member | None  # None: the address already belonged to a member
    existing: Member | None
    created: bool


def groups_for_postcode(postcode: str) -> list[Group]:
    """The open groups covering the postcode's district, or else those of its postcode area."""
    found = find_groups(postcode)
    return found.groups or found.nearby


def _normal_postcode(postcode: str) -> str:
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def find_duplicate(*, email: str, first_name: str, last_name: str, postcode: str) -> Member | None:
    """An existing member with the same address, or the same name and postcode."""
    same_email = (
        Member.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci=email.lower(), erased_at__isnull=True)
        .first()
    )
    if same_email is not None:
        return same_email
    return Member.objects.filter(
        first_name__iexact=first_name,
        last_name__iexact=last_name,
        postcode__iexact=_normal_postcode(postcode),
        erased_at__isnull=True,
    ).first()


def verification_token(application: JoinApplication) -> str:
    return signing.dumps({"a": application.pk}, salt=_SALT, compress=True)


def application_for_token(token: str) -> JoinApplication:
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise JoinError(
            gettext("This link has expired (links last three days): fill in the join form again.")
        ) from error
    except signing.BadSignature as error:
        raise JoinError(
            gettext("This link is not one we sent: copy the whole link from the mail.")
        ) from error
    application = JoinApplication.objects.filter(pk=data.get("a")).select_related("group").first()
    if application is None:
        raise JoinError(gettext("This application no longer exists: fill in the join form again."))
    return application


@transaction.atomic(durable=True)
def apply_to_join(
    *,
    first_name: str,
    last_name: str,
    email: str,
    postcode: str,
    group: Group,
    consent_to_contact: bool,
) -> JoinApplication:
    """Record an application and mail the verification link. The answer is the same whether
    or not the address already belongs to a member, so the page tells nobody who is one."""
    try:
        district_of(postcode)
    except PostcodeError as error:
        raise JoinError(str(error)) from error
    if group.closed_on is not None:
        raise JoinError(
            gettext("%(group)s has closed: choose another group.") % {"group": group.name}
        )
    first_name, last_name = " ".join(first_name.split()), " ".join(last_name.split())
    email = email.strip()
    application = JoinApplication.objects.create(
        first_name=first_name,
        last_name=last_name,
        email=email,
        postcode=_normal_postcode(postcode),
        group=group,
        consent_to_contact=consent_to_contact,
        consent_wording=CONSENT_WORDING,
        created_at=clock.now(),
        duplicate_of=find_duplicate(
            email=email, first_name=first_name, last_name=last_name, postcode=postcode
        ),
    )
    record(
        actor=None,
        action=AuditAction.APPLY_TO_JOIN,
        subject_type="join_application",
        subject_id=application.pk,
        scope=group.name[:120],
        detail={"possible_duplicate": application.duplicate_of_id is not None},
    )
    link = settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse(
        "join_verify", args=[verification_token(application)]
    )
    # In the language the visitor joined in (the page's).
    message = gettext(
        "Dear %(first_name)s,\n\nThank you for joining, in %(group)s. To confirm that this "
        "address is yours, open this link within three days:\n\n%(link)s\n\n"
        "If you did not ask to join, ignore this mail: nothing happens without the link.\n"
    ) % {"first_name": first_name, "group": group.name, "link": link}
    subject = gettext("Grassroots: confirm your membership")
    transaction.on_commit(
        lambda: send_mail(
            subject,
            message,
            None,
            [email],
            fail_silently=False,
        )
    )
    return application


def _next_membership_number() -> str:
    """The next number of the movement's own series (GR and seven digits), as the import
    numbers new members."""
    from django.db.models import Max

    from grassroots.people.services import NEW_NUMBER_RE

    highest = Member.objects.filter(membership_number__regex=NEW_NUMBER_RE).aggregate(
        highest=Max("membership_number")
    )["highest"]
    return f"GR{(int(highest[2:]) + 1 if highest else 1):07d}"


@transaction.atomic(durable=True)
def verify_join(*, token: str) -> Verified:
    """The applicant followed the link: make the member record (with a login, verified by
    this very link) in the chosen group, or point them at the record they already have."""
    from allauth.account.models import EmailAddress

    from grassroots.accounts.models import User

    application = application_for_token(token)
    application = JoinApplication.objects.select_for_update().get(pk=application.pk)
    if application.member_id is not None:
        return Verified(member=application.member, existing=None, created=False)
    existing = (
        Member.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci=application.email.lower())
        .first()
    )
    if existing is not None or User.objects.filter(email__iexact=application.email).exists():
        application.duplicate_of = existing
        application.verified_at = clock.now()
        application.save(update_fields=["duplicate_of", "verified_at"])
        return Verified(member=None, existing=existing, created=False)
    stamp, day = clock.now(), clock.today()
    user = User.objects.create_user(application.email)
    EmailAddress.objects.create(user=user, email=application.email, verified=True, primary=True)
    for _ in range(3):
        try:
            with transaction.atomic():
                member = Member.objects.create(
                    membership_number=_next_membership_number(),
                    user=user,
                    first_name=application.first_name,
                    last_name=application.last_name,
                    email=application.email,
                    postcode=application.postcode,
                    status=MembershipStatus.MEMBER,
                    joined_on=day,
                    renewal_due_on=day + MEMBERSHIP_TERM,
                    consent_to_contact=application.consent_to_contact,
                    consent_recorded_at=stamp if application.consent_to_contact else None,
                    consent_source=ConsentSource.JOIN_FORM
                    if application.consent_to_contact
                    else "",
                    home_group=application.group,
                )
            break
        except IntegrityError:  # another joiner took the number first
            continue
    else:
        raise JoinError(gettext("We could not finish joining just now: open the link again."))
    record_status_changes([(member.pk, member.status, day)], cause=StatusCause.JOINED)
    application.member = member
    application.verified_at = stamp
    application.save(update_fields=["member", "verified_at"])
    record(
        actor=user,
        action=AuditAction.VERIFY_JOIN,
        subject_type="member",
        subject_id=member.membership_number,
        scope=application.group.name[:120],
        detail={
            "application": application.pk,
            "consent_to_contact": application.consent_to_contact,
            "consent_wording_sha256": hashlib.sha256(
                application.consent_wording.encode()
            ).hexdigest(),
            "possible_duplicate": application.duplicate_of_id,
        },
    )
    return Verified(member=member, existing=None, created=True)
