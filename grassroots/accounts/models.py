"""Login identities. A person's movement data lives on people.Member, linked one-to-one."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from grassroots.rows import get_by_pk


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``User.objects.get(pk=...)``, which every logged-in request makes (Django's auth
        backends load the session's user so), reads the row with SQL made once per process
        (grassroots.rows.get_by_pk): same row, same instance, same ``DoesNotExist``. Any other
        lookup goes through the ORM as usual."""
        if not args and len(kwargs) == 1 and "pk" in kwargs:
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
