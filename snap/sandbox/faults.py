"""Injected faults: answer 429 or 5xx for the next N calls, add latency, or commit a
write and then drop the connection before answering (the case idempotency exists for),
or commit it and then stall the answer for `latency_ms` (so a test can kill the worker
while its request has provably taken effect but is still unanswered).

A fault may match only one method and/or path prefix, and fire on only a share of the
calls it matches (`probability`, e.g. 0.05 of writes dropped). Faults are consumed in the
order they were added; each call it fires on takes one from `remaining` (None = forever).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Literal

FaultAction = Literal["status", "latency", "drop", "stall"]
_ids = itertools.count(1)


@dataclass
class Fault:
    action: FaultAction
    status: int = 500
    remaining: int | None = 1
    method: str | None = None
    path_prefix: str | None = None
    latency_ms: int = 0
    retry_after_s: float | None = None
    probability: float = 1.0
    id: int = field(default_factory=lambda: next(_ids))

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.method is None and self.action in ("drop", "stall") and method == "GET":
            return False  # only a write can be committed and then lose its answer
        if self.path_prefix and not path.startswith(self.path_prefix):
            return False
        return self.probability >= 1.0 or random.random() < self.probability


class FaultPlan:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.action == "status" and not (fault.status == 429 or 500 <= fault.status < 600):
            raise ValueError("a status fault answers 429 or 5xx")
        if not 0.0 < fault.probability <= 1.0:
            raise ValueError("a fault's probability is in (0, 1]")
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults this call triggers (at most one of each action), consuming them."""
        taken: dict[str, Fault] = {}
        for fault in list(self.faults):
            if fault.action in taken or not fault.matches(method, path):
                continue
            taken[fault.action] = fault
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
        return list(taken.values())
