"""Every result code has one home (worker.errors.Code) and one table (the README's).

A code reaches the runner from an error class's `code` attribute, from `failed(...)` /
`skipped(...)`, or from a dict literal with a "code" key (Snap's bulk items, the
journal's records). Each of those written anywhere in the fleet must name a listed code,
so a new one cannot ship without its meaning, and the README's table is rendered from
the list.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import snap.errors
import worker.errors
from tests.unit.worker.result_codes_doc import current, render
from worker.errors import Code

ROOT = Path(__file__).resolve().parents[3]
# The sandbox plays Snap: its "code" keys are OAuth codes and Snap's, not the fleet's answers.
SCANNED = ("snap", "storage", "worker", "tasks")
SKIPPED = ("snap/sandbox/",)


def test_the_readme_table_of_result_codes_matches_the_list() -> None:
    assert current() == render(), (
        "README.md's table of result codes is stale: run "
        "`python -m tests.unit.worker.result_codes_doc --write`"
    )


def test_every_code_says_what_it_means() -> None:
    assert len(Code) > 20
    for code in Code:
        assert code.meaning and code.meaning == code.meaning.strip(), code
        assert isinstance(code.retry_helps, bool), code


@pytest.mark.parametrize("module", [snap.errors, worker.errors], ids=lambda m: m.__name__)
def test_every_error_class_carries_a_listed_code(module: ModuleType) -> None:
    # TaskFailed's code is its result's, a property: the classes that fix one are checked.
    classes = [
        c
        for _, c in inspect.getmembers(module, inspect.isclass)
        if isinstance(inspect.getattr_static(c, "code", None), str)
    ]
    assert classes
    unlisted = [c.__name__ for c in classes if inspect.getattr_static(c, "code") not in set(Code)]
    assert not unlisted, f"{module.__name__}: codes not in worker.errors.Code: {unlisted}"


def literal_codes(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, code) of every code written as a string literal under `root`."""
    found: list[tuple[str, int, str]] = []
    for package in SCANNED:
        for path in sorted((root / package).rglob("*.py")):
            shown = str(path.relative_to(root))
            if shown.startswith(SKIPPED):
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=shown)):
                for value in _code_literals(node):
                    found.append((shown, value.lineno, str(value.value)))
    return found


def _code_literals(node: ast.AST) -> list[ast.Constant]:
    """String constants a result's code is made from, in the shapes the fleet writes."""
    candidates: list[ast.expr] = []
    if isinstance(node, ast.ClassDef):  # class SomeError: code = "..."
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in stmt.targets
            ):
                candidates.append(stmt.value)
    elif isinstance(node, ast.Dict):  # {"code": "...", "message": ...}
        keys = {
            k.value: v
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
        # A result, an error record or a bulk item; a payload's "code" is an OAuth code.
        if "code" in keys and keys.keys() & {"status", "message", "index", "item"}:
            candidates.append(keys["code"])
    elif isinstance(node, ast.Call) and _called(node) in {"failed", "skipped"} and node.args:
        candidates.append(node.args[0])  # failed("...", message)
    return [c for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)]


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def test_every_code_written_in_the_fleet_is_listed() -> None:
    found = literal_codes(ROOT)
    assert len(found) > 10  # the scan sees the fleet's literals (snap.errors alone has 14)
    listed = {code.value for code in Code}
    unlisted = [f"{f}:{line}: {code!r}" for f, line, code in found if code not in listed]
    assert not unlisted, "codes not in worker.errors.Code:\n" + "\n".join(unlisted)


@pytest.mark.parametrize(
    "source",
    [
        'class Boom(Exception):\n    code = "brand_new"\n',
        'RESULT = {"status": "failed", "code": "brand_new"}\n',
        'ITEM = {**failure, "index": 3, "code": "brand_new"}\n',
        'from worker.results import failed\nx = failed("brand_new", "m")\n',
        'from worker import results\nx = results.skipped("brand_new", "m")\n',
    ],
    ids=["class attribute", "result literal", "bulk item", "failed()", "results.skipped()"],
)
def test_a_planted_unlisted_code_is_found(tmp_path: Path, source: str) -> None:
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "planted.py").write_text(source)
    found = literal_codes(tmp_path)
    assert [(f, code) for f, _, code in found] == [("worker/planted.py", "brand_new")]
    assert "brand_new" not in {code.value for code in Code}
