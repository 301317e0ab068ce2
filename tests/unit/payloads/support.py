"""Helpers of the payload tests: payloads built from their README examples."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from tasks.payloads import EXAMPLES


def example(task: str, **changes: Any) -> dict[str, Any]:
    """A deep copy of the task's documented example with `changes` laid on top."""
    payload = copy.deepcopy(EXAMPLES[task])
    payload.update(changes)
    return payload


def usd_as_micro(amount_usd: Decimal) -> int:
    """A stand-in for the task's converter: a USD account (x 1e6), exact on Decimals."""
    assert isinstance(amount_usd, Decimal), "amounts reach the converter as Decimal"
    return int(amount_usd * 1_000_000)
