"""An area of four groups of different sizes and standing, with its officers."""

from __future__ import annotations

import pytest

from tests.delegation.builders import AreaSetup, build_area
from tests.mail import mailbox


@pytest.fixture
def setup(db) -> AreaSetup:
    return build_area()


__all__ = ["mailbox"]
