from __future__ import annotations

import pytest

from tests.assembly.builders import Session, build_session


@pytest.fixture
def session(db) -> Session:
    return build_session()
