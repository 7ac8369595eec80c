"""Rows of the access table kept by each app: every module here defines ``CASES``.

A module named after the app (``meetings.py``, ``oversight.py``, ...) lists a Case for each of
that app's URL names, using the vocabulary in tests/web/access.py.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.web.access import Case


def collected_cases() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module_cases = getattr(module, "CASES", None)
        if not isinstance(module_cases, list):
            raise TypeError(f"{module.__name__} must define CASES, a list of Case")
        cases.extend(module_cases)
    return cases
