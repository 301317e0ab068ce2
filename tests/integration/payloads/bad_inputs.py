"""Bad payloads for every task of the catalog, built from each payload's JSON schema.

Each strategy starts from the task's documented example (valid) and breaks it one way:

    missing         a required field left out
    unknown         a field the payload does not have
    wrong_type      a value of a JSON type the field does not take
    huge_string     a string one past the field's maxLength (a name: past 375 characters)
    empty_string    "" where the field needs at least one character
    bad_amount      a `*_usd` amount: negative, absurd (past a billion) or over-precise
                    (a seventh decimal, below one micro)
    unknown_enum    a value outside the field's enum
    dates_reversed  an end before its start (`start_time`/`end_time`, `start_date`/`end_date`)
    foreign_account an ad account id the fleet does not hold

`BadInput.fields` are the names a refusal may give for it (the field itself, or for a
pair of dates either end). `TRIED` counts what the tests sent, per category; the
directory's conftest prints it at the end of the run.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tasks.payloads import EXAMPLES, TASK_PAYLOADS

TRIED: Counter[str] = Counter()
DATE_PAIRS = (("start_time", "end_time"), ("start_date", "end_date"))
JSON_TYPES = ("string", "number", "integer", "boolean", "array", "object", "null")


@dataclass(frozen=True)
class BadInput:
    task: str
    category: str
    payload: dict[str, Any]
    fields: frozenset[str]


def schema_of(task: str) -> dict[str, Any]:
    return TASK_PAYLOADS[task].model_json_schema()


def _variants(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a property (its anyOf members, or itself)."""
    members = prop.get("anyOf") or [prop]
    return [m for m in members if m.get("type") != "null"]


def _types(prop: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for member in prop.get("anyOf") or [prop]:
        if "$ref" in member:
            found.add("object")
        elif "type" in member:
            found.add(member["type"])
        elif "enum" in member or "const" in member:
            found.add("string")
    if "number" in found:
        found.add("integer")
    return found


def _wrong_values(prop: dict[str, Any]) -> list[Any]:
    """Values whose JSON type the field does not take. Pydantic's lax mode reads numeric
    strings as numbers, 0/1/True as booleans or numbers and a number as a timestamp, so
    none of those is offered where it would be read as valid."""
    types = _types(prop)
    formats = {m.get("format") for m in _variants(prop)}
    pool: list[tuple[str, Any]] = [
        ("string", "not-a-number"),
        ("number", 12.5),
        ("boolean", True),
        ("array", ["a", 1]),
        ("object", {"nested": True}),
    ]
    wrong = []
    for kind, value in pool:
        if kind in types:
            continue
        if kind == "boolean" and types & {"number", "integer"}:
            continue
        if kind == "number" and formats & {"date-time", "date"}:
            continue
        wrong.append(value)
    return wrong


def applicable(task: str) -> list[str]:
    """The categories a task's payload offers a field for."""
    schema = schema_of(task)
    props: dict[str, Any] = schema.get("properties", {})
    cats = ["unknown"]
    if schema.get("required"):
        cats.append("missing")
    if any(_wrong_values(p) for p in props.values()):
        cats.append("wrong_type")
    if _strings_with(props, "maxLength"):
        cats.append("huge_string")
    if _strings_with(props, "minLength"):
        cats.append("empty_string")
    if any(name.endswith("_usd") for name in props):
        cats.append("bad_amount")
    if _enum_fields(props):
        cats.append("unknown_enum")
    if any(a in props and b in props for a, b in DATE_PAIRS):
        cats.append("dates_reversed")
    if "ad_account_id" in props and "ad_account_id" in EXAMPLES[task]:
        cats.append("foreign_account")
    return cats


def _strings_with(props: dict[str, Any], key: str) -> list[str]:
    return [
        name
        for name, prop in props.items()
        if any(m.get("type") == "string" and key in m for m in _variants(prop))
    ]


def _enum_fields(props: dict[str, Any]) -> list[str]:
    return [name for name, prop in props.items() if any("enum" in m for m in _variants(prop))]


@st.composite
def bad_input(draw: st.DrawFn, task: str) -> BadInput:
    """One payload of `task` broken in one way."""
    category = draw(st.sampled_from(applicable(task)))
    schema = schema_of(task)
    props: dict[str, Any] = schema["properties"]
    payload = dict(EXAMPLES[task])
    if category == "missing":
        name = draw(st.sampled_from(sorted(schema["required"])))
        payload.pop(name, None)
        return BadInput(task, category, payload, frozenset({name}))
    if category == "unknown":
        name = draw(
            st.text(
                st.characters(categories=("Ll", "Nd"), include_characters="_"), min_size=1
            ).filter(lambda n: n not in props)
        )
        payload[name] = draw(st.sampled_from([1, "x", None, [], {}]))
        return BadInput(task, category, payload, frozenset({name}))
    if category == "wrong_type":
        name = draw(st.sampled_from([n for n, p in props.items() if _wrong_values(p)]))
        payload[name] = draw(st.sampled_from(_wrong_values(props[name])))
        return BadInput(task, category, payload, frozenset({name}))
    if category == "huge_string":
        name = draw(st.sampled_from(_strings_with(props, "maxLength")))
        limit = max(m.get("maxLength", 0) for m in _variants(props[name]))
        extra = draw(st.integers(min_value=1, max_value=100_000))
        payload[name] = draw(st.sampled_from("axZ9")) * (limit + extra)
        return BadInput(task, category, payload, frozenset({name}))
    if category == "empty_string":
        name = draw(st.sampled_from(_strings_with(props, "minLength")))
        payload[name] = ""
        return BadInput(task, category, payload, frozenset({name}))
    if category == "bad_amount":
        name = draw(st.sampled_from([n for n in props if n.endswith("_usd")]))
        payload[name] = draw(
            st.one_of(
                st.decimals(max_value=Decimal("-0.000001"), places=6, allow_nan=False).map(str),
                st.integers(min_value=1_000_000_001, max_value=10**30).map(str),
                st.decimals(
                    min_value=0, max_value=10**6, places=7, allow_nan=False, allow_infinity=False
                )
                .filter(lambda d: d != d.quantize(Decimal("0.000001")))
                .map(str),
                st.sampled_from(["NaN", "Infinity", "-1e400", "1e400"]),
            )
        )
        return BadInput(task, category, payload, frozenset({name}))
    if category == "unknown_enum":
        name = draw(st.sampled_from(_enum_fields(props)))
        allowed = {v for m in _variants(props[name]) for v in m.get("enum", ())}
        payload[name] = draw(st.text(min_size=1, max_size=40).filter(lambda v: v not in allowed))
        return BadInput(task, category, payload, frozenset({name}))
    if category == "dates_reversed":
        start, end = next((a, b) for a, b in DATE_PAIRS if a in props and b in props)
        first = draw(st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2035, 1, 1)))
        gap = draw(st.integers(min_value=0, max_value=400))
        if start.endswith("_date"):
            begin: Any = first.date()
            payload[start], payload[end] = str(begin), str(begin - timedelta(days=gap + 1))
        else:
            begin = first.replace(microsecond=0)
            later, earlier = begin, begin - timedelta(hours=gap)
            payload[start], payload[end] = f"{later.isoformat()}Z", f"{earlier.isoformat()}Z"
        return BadInput(task, category, payload, frozenset({start, end}))
    # foreign_account: a well-formed id of an account no connection holds
    payload["ad_account_id"] = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))
    return BadInput(task, category, payload, frozenset({"ad_account_id"}))
