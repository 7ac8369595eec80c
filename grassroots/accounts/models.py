"""Login identities. A person's movement data lives on people.Member, linked one-to-one."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from grassroots.rows import get_by_pk

# The user row read with the request's session, set only while Django's ``auth.get_user`` runs
# for that request (grassroots.accounts.sessions: the store and its AuthenticationMiddleware).
SESSION_USER: ContextVar[User | None] = ContextVar("grassroots_session_user", default=None)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``User.objects.get(pk=...)``, which every logged-in request makes (Django's auth
        backends load the session's user so): while ``SESSION_USER`` holds the row read with
        the request's session and it is the one asked for, that row, with no query; otherwise
        the row read with SQL made once per process (grassroots.rows.get_by_pk). Same row, same
        instance, same ``DoesNotExist``. Any other lookup goes through the ORM as usual."""
        if not args and len(kwargs) == 1 and "pk" in kwargs:
            read = SESSION_USER.get()
            if read is not None and str(read.pk) == str(kwargs["pk"]):
                return read
            return get_by_pk(self.model, kwargs["pk"], using=self.db)
        return super().get(*args, **kwargs)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Log in by email address; there is no separate username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(gettext_lazy("email address"), unique=True)
    # Raised by "log out everywhere" (accounts.services.end_all_sessions). It is part of the
    # session hash every request checks, so all the person's sessions end on every app node at
    # once, with no list of sessions to search.
    session_generation = models.PositiveIntegerField(default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, plus the session generation once it has been raised.

        Django compares this with the hash stored in the session on every request and ends the
        session when they differ (as it does after a password change). Generation 0 keeps
        Django's own hash, so sessions from before this field existed stay valid.
        """
        if self.session_generation == 0:
            return str(super()._get_session_auth_hash(secret=secret))  # type: ignore[misc]
        return salted_hmac(
            "grassroots.accounts.User.session_auth_hash",
            f"{self.password}\x00{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Session(AbstractBaseSession):
    """Django's database session with the logged-in user's id beside its data, so a request
    reads its session and its user in one query (grassroots.accounts.sessions).

    The id is written from the session's own data (Django's ``_auth_user_id``) each time the
    session is saved; the user read with it is used only as the user that data names, and
    Django's checks of it (the session hash, an active account) are made as before. Deleting a
    user deletes their sessions. No database constraint: a session saved in the moment its
    user is deleted must not fail the request that saves it (the user is then simply missing).
    """

    user = models.ForeignKey(
        User, null=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from grassroots.accounts.sessions import SessionStore

        return SessionStore
