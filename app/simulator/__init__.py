"""A simulated Huawei NE8000 (VRP8): device state, CLI, and SSH/telnet servers.

The public names load lazily so that importing a submodule (the device model, the
renderers) does not pull in asyncssh, and ``ne8000monitor --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.simulator.faults import FaultPlan
    from app.simulator.server import SimulatorHandle, start_simulator

__all__ = ["FaultPlan", "SimulatorHandle", "start_simulator"]

_EXPORTS = {
    "FaultPlan": "app.simulator.faults",
    "SimulatorHandle": "app.simulator.server",
    "start_simulator": "app.simulator.server",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'app.simulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
