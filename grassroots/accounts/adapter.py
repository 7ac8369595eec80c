from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Members are registered by the movement (import or their Data Manager), so there is no
    open sign-up: a person logs in with the address the movement holds for them."""

    def is_open_for_signup(self, request: Any) -> bool:
        return False
