"""The bad-input run: a bounded hypothesis profile, and one summary line at the end.

`SNAPFLEET_BAD_INPUT_EXAMPLES` (default 25) is how many bad payloads each task gets; the
summary line says how many were tried in all (`-s` not needed: it is the terminal summary).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

from tests.integration.payloads.bad_inputs import TRIED

settings.register_profile(
    "snapfleet-bad-input",
    max_examples=int(os.environ.get("SNAPFLEET_BAD_INPUT_EXAMPLES", "25")),
    deadline=None,
    database=None,  # nothing written into the checkout; a failure prints its reproducer
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the fleet is per test; examples share it
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    print_blob=True,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TRIED:
        return
    by_category = ", ".join(f"{name} {count}" for name, count in sorted(TRIED.items()))
    terminalreporter.write_line(
        f"bad input: {sum(TRIED.values())} payloads tried ({by_category}); "
        "each refused naming its field, none reached Snap"
    )
