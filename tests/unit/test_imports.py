"""The import rules of the house, read from the source with `ast`.

    tasks -> worker -> (snap, storage)
    snap and storage import nothing above them (nor Celery), and never each other
    worker.mutations and worker.sync never import each other
    only worker.cli imports tasks
    no import cycle between any two modules of snap, storage, worker and tasks

Every import counts: at the top of a module, inside a function, under TYPE_CHECKING. A
failure names the file, the line, the importing module and what it imports. Each rule is
also run on a small planted tree that breaks it, so none of them can pass by finding
nothing to look at.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("snap", "storage", "worker", "tasks")


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a dotted module name."""

    importer: str
    target: str
    path: str
    line: int
    via: str = ""  # for a package: the module below it the import names

    def __str__(self) -> str:
        shown = f"{self.path}:{self.line}: {self.importer} imports {self.target}"
        return f"{shown} (its __init__, importing {self.via})" if self.via else shown


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the four packages under `root`, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of every module under `root`, wherever in the module it is written."""
    files = module_files(root)
    found: list[Import] = []
    for module, path in files.items():
        shown = str(path.relative_to(root))
        tree = ast.parse(path.read_text(), filename=shown)
        for node in ast.walk(tree):
            for target in _targets(node, module, path.name == "__init__.py", files):
                found.append(Import(module, target, shown, node.lineno))  # type: ignore[attr-defined]
    return found


def _targets(node: ast.AST, module: str, is_package: bool, files: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    # `from worker import logs` imports the module worker.logs; `from worker.logs import x`
    # imports worker.logs.
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]


def _in(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


# --- The rules: each returns the imports that break it ---------------------------------


def lower_layers_import_upward(found: Iterable[Import]) -> list[Import]:
    """snap and storage import nothing above them, nor Celery, nor each other."""
    forbidden = {
        "snap": ("storage", "worker", "tasks", "celery", "kombu"),
        "storage": ("snap", "worker", "tasks", "celery", "kombu"),
    }
    return [
        i
        for i in found
        for layer, above in forbidden.items()
        if _in(i.importer, layer) and _in(i.target, *above)
    ]


def flows_import_each_other(found: Iterable[Import]) -> list[Import]:
    """worker.mutations and worker.sync never import each other."""
    pairs = (("worker.mutations", "worker.sync"), ("worker.sync", "worker.mutations"))
    return [i for i in found for a, b in pairs if _in(i.importer, a) and _in(i.target, b)]


def tasks_imported_outside_cli(found: Iterable[Import]) -> list[Import]:
    """Only the command line imports tasks (tasks may import each other)."""
    return [
        i for i in found if _in(i.target, "tasks") and not _in(i.importer, "tasks", "worker.cli")
    ]


def cycles(found: Iterable[Import]) -> list[list[Import]]:
    """Every group of modules that import each other, round and round, with the imports.

    Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` first, so an import
    also counts as one of each package above its target (but not of the importer's own
    packages, which are already running).
    """
    found = list(found)
    importers = {i.importer for i in found}
    edges: dict[str, dict[str, Import]] = {}
    for i in found:
        parts = i.target.split(".")
        parents = [".".join(parts[:n]) for n in range(1, len(parts))]
        for target in [i.target, *(p for p in parents if p in importers)]:
            if _in(i.importer, target) or not _in(target, *PACKAGES):
                continue
            via = "" if target == i.target else i.target
            edges.setdefault(i.importer, {}).setdefault(
                target, Import(i.importer, target, i.path, i.line, via)
            )
    groups = _strongly_connected(edges)
    return [
        [edges[a][b] for a in sorted(group) for b in sorted(edges.get(a, {})) if b in group]
        for group in groups
    ]


def _strongly_connected(edges: dict[str, dict[str, Import]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative: the groups of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def _report(broken: list[Import], rule: str) -> str:
    return f"{rule}:\n" + "\n".join(f"  {i}" for i in broken)


# --- The house keeps the rules ---------------------------------------------------------


@pytest.fixture(scope="module")
def house() -> list[Import]:
    return imports(ROOT)


def test_the_tree_is_read(house: list[Import]) -> None:
    importers = {i.importer.split(".")[0] for i in house}
    assert importers == set(PACKAGES)
    assert len(house) > 500


def test_snap_and_storage_import_nothing_above_them(house: list[Import]) -> None:
    broken = lower_layers_import_upward(house)
    assert not broken, _report(broken, "snap and storage import only themselves and libraries")


def test_mutations_and_sync_never_import_each_other(house: list[Import]) -> None:
    broken = flows_import_each_other(house)
    assert not broken, _report(broken, "worker.mutations and worker.sync are separate flows")


def test_only_the_command_line_imports_tasks(house: list[Import]) -> None:
    broken = tasks_imported_outside_cli(house)
    assert not broken, _report(broken, "only worker.cli imports tasks")


def test_no_import_cycles(house: list[Import]) -> None:
    found = cycles(house)
    assert not found, "\n".join(_report(c, "import cycle") for c in found)


# --- Each rule finds a planted violation -----------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> None:
    for package in PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").touch()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)


Rule = Callable[[list[Import]], list[Import]]

PLANTED: list[tuple[str, dict[str, str], Rule, str]] = [
    (
        "snap imports worker inside a function",
        {"snap/client.py": "def f():\n    from worker.runtime import Runtime\n"},
        lower_layers_import_upward,
        "snap/client.py:2: snap.client imports worker.runtime",
    ),
    (
        "storage imports snap under TYPE_CHECKING",
        {
            "snap/models.py": "",
            "storage/mirrors.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from snap.models import Campaign\n"
            ),
        },
        lower_layers_import_upward,
        "storage/mirrors.py:3: storage.mirrors imports snap.models",
    ),
    (
        "storage imports celery",
        {"storage/journal.py": "import celery\n"},
        lower_layers_import_upward,
        "storage/journal.py:1: storage.journal imports celery",
    ),
    (
        "snap imports storage with a relative-free from-import of a module",
        {"storage/db.py": "", "snap/stats.py": "from storage import db\n"},
        lower_layers_import_upward,
        "snap/stats.py:1: snap.stats imports storage.db",
    ),
    (
        "sync imports mutations",
        {
            "worker/mutations/writes.py": "",
            "worker/sync/stats.py": "from worker.mutations.writes import Write\n",
        },
        flows_import_each_other,
        "worker/sync/stats.py:1: worker.sync.stats imports worker.mutations.writes",
    ),
    (
        "mutations import sync, relatively",
        {"worker/sync/events.py": "", "worker/mutations/task.py": "from ..sync import events\n"},
        flows_import_each_other,
        "worker/mutations/task.py:1: worker.mutations.task imports worker.sync.events",
    ),
    (
        "a worker module imports tasks",
        {"tasks/payloads.py": "", "worker/results.py": "import tasks.payloads\n"},
        tasks_imported_outside_cli,
        "worker/results.py:1: worker.results imports tasks.payloads",
    ),
]


@pytest.mark.parametrize(
    ("files", "rule", "expected"),
    [pytest.param(files, rule, expected, id=name) for name, files, rule, expected in PLANTED],
)
def test_each_rule_finds_a_planted_violation(
    tmp_path: Path, files: dict[str, str], rule: Rule, expected: str
) -> None:
    _plant(tmp_path, files)
    assert [str(i) for i in rule(imports(tmp_path))] == [expected]


def test_the_command_line_may_import_tasks(tmp_path: Path) -> None:
    _plant(
        tmp_path, {"tasks/payloads.py": "", "worker/cli/main.py": "from tasks import payloads\n"}
    )
    assert tasks_imported_outside_cli(imports(tmp_path)) == []


def test_a_cycle_through_a_package_init_is_found(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        {
            "worker/connections/__init__.py": "from worker.connections.capture import connect\n",
            "worker/connections/capture.py": "from worker.runtime import Runtime\n",
            "worker/connections/tokens.py": "",
            "worker/runtime.py": "from worker.connections.tokens import Provider\n",
        },
    )
    found = cycles(imports(tmp_path))
    assert [[str(i) for i in cycle] for cycle in found] == [
        [
            "worker/connections/__init__.py:1: worker.connections imports "
            "worker.connections.capture",
            "worker/connections/capture.py:1: worker.connections.capture imports worker.runtime",
            "worker/runtime.py:1: worker.runtime imports worker.connections "
            "(its __init__, importing worker.connections.tokens)",
        ]
    ]


def test_a_planted_cycle_is_found_with_both_imports(tmp_path: Path) -> None:
    _plant(
        tmp_path,
        {
            "worker/runtime.py": "def f():\n    from worker.connections.tokens import P\n",
            "worker/connections/tokens.py": "from worker.runtime import Runtime\n",
            "worker/app.py": "from worker import runtime\n",
        },
    )
    found = cycles(imports(tmp_path))
    assert [[str(i) for i in cycle] for cycle in found] == [
        [
            "worker/connections/tokens.py:1: worker.connections.tokens imports worker.runtime",
            "worker/runtime.py:2: worker.runtime imports worker.connections.tokens",
        ]
    ]
