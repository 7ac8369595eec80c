"""One typed reader for the environment, so a missing production secret fails loudly at start."""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping


class MissingSetting(RuntimeError):
    pass


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self._environ.get(name)
        if value is None or value == "":
            if default is None:
                raise MissingSetting(f"The environment variable {name} must be set.")
            return default
        return value

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        value = self._environ.get(name)
        if value is None or value == "":
            return default
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise MissingSetting(f"{name} must be true or false, not {value!r}.")

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self._environ.get(name)
        if value is None or value == "":
            return default
        try:
            return builtins.int(value)
        except ValueError:
            raise MissingSetting(f"{name} must be a whole number, not {value!r}.") from None

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str]
    ) -> builtins.list[builtins.str]:
        value = self._environ.get(name)
        if value is None or value == "":
            return default
        return [item.strip() for item in value.split(",") if item.strip()]


env = Env()
