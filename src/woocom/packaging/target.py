"""Lambda platforms: which Python and CPU a zip is built for."""

from __future__ import annotations

import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A Lambda platform: the runtime (python3.13) and architecture (arm64 / x86_64)."""

    runtime: str
    architecture: str

    @property
    def python_version(self) -> str:
        return self.runtime.removeprefix("python")

    @property
    def machine(self) -> str:
        return "aarch64" if self.architecture == "arm64" else "x86_64"

    @property
    def uv_platform(self) -> str:
        return f"{self.machine}-manylinux2014"

    def __str__(self) -> str:
        return f"{self.runtime}/{self.architecture}"


def host_machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
