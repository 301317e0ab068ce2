"""storage never imports snap, worker, celery or httpx (docs/architecture.md, Import rules)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import storage

FORBIDDEN = ("snap", "worker", "tasks", "celery", "httpx")


def test_storage_imports_nothing_above_or_beside_it() -> None:
    modules = [
        m.name
        for m in pkgutil.walk_packages(storage.__path__, "storage.")
        if ".migrations" not in m.name
    ]
    assert "storage.journal" in modules and "storage.models.journal" in modules
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
