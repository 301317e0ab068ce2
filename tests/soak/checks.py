"""What a soak verifies afterwards, and its one-line summary.

    soak: N accepted, N terminal, D duplicates, L lost, K kills, R redis restarts,
          P postgres restarts, Q quota 429s, E events (E1 once), T s, worst recovery W s

- terminal: a result in the backend, `succeeded`, or `failed` (or `unknown`, that is
  `maybe_created`) with a documented code (`worker.errors.Code`); L = accepted - terminal.
- D: entities at the sandbox that no succeeded journal row claims (a second copy of a
  create is one), plus succeeded creates whose entity is missing.
- every entity the runner wrote is in the state its last succeeded write asked for.
- no request reached the sandbox while Redis was down (after a one-second grace for a
  request granted just before the kill).
- Q: 429s the sandbox gave for the fleet going past Snap's per-app or per-token rate
  (injected storms are counted apart and do not count).
- each state change the sandbox made reached the runner, under exactly one event id.
- W: for every task a fault overlapped, its end minus the end of the last fault before
  it ended (or its send, if later); the worst over the run. W > 120 fails.
- no access token, refresh token, client secret or encryption key in any log, result,
  journal row, metric or Flower task argument.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ENTITY_KINDS = ("campaigns", "adsquads", "ads", "creatives", "media")
MAX_RECOVERY_S = 120.0
REDIS_GRACE_S = 1.0
# Not faults of the fleet: the sandbox rejecting ads, hitting caps and suspending an
# account (its window is mostly the driver waiting for chains to finish).
QUIET = ("changes",)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass
class Evidence:
    """Everything collected after the run."""

    sent: list[dict[str, Any]]
    results: list[dict[str, Any]]
    events: list[dict[str, Any]]
    faults: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    rate_limited: dict[str, int]
    claimed_ids: set[str]
    changes: list[dict[str, Any]]  # {"kind":..., "entity_id":...} the sandbox made
    redis_down: list[tuple[float, float]]
    kills: int
    redis_restarts: int
    postgres_restarts: int
    elapsed_s: float
    secrets: list[str]
    scanned: dict[str, str]  # what -> text


@dataclass
class Verdict:
    line: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _arrived(request: dict[str, Any]) -> float:
    """When a request reached the sandbox, on the wall clock the driver's times use (the
    sandbox's own clock started at a whole second, so it lags by up to one)."""
    if request.get("received_at") is not None:
        return float(request["received_at"])
    return datetime.fromisoformat(request["timestamp"].replace("Z", "+00:00")).timestamp()


def verdict(ev: Evidence) -> Verdict:
    from worker.errors import Code

    problems: list[str] = []
    documented = {str(c) for c in Code}
    final = {r["task_id"]: r for r in ev.results if r.get("result") is not None}
    accepted = {r["task_id"] for r in ev.sent}
    terminal = 0
    for task_id in accepted:
        result = (final.get(task_id) or {}).get("result") or {}
        status, code = result.get("status"), result.get("code")
        # `unknown` is `maybe_created` (a create whose outcome stayed unknown: never sent
        # again, the completer keeps looking; D counts it if it landed unclaimed).
        if status == "succeeded" or (
            status in ("failed", "skipped", "unknown") and code in documented
        ):
            terminal += 1
        elif task_id in final:
            problems.append(f"task {task_id} ended {status!r} with undocumented code {code!r}")
    lost = len(accepted) - terminal

    duplicates = _duplicates(ev, problems)
    _final_states(ev, problems)
    _redis_quiet(ev, problems)
    quota = int(ev.rate_limited.get("app", 0)) + int(ev.rate_limited.get("token", 0))
    events, once = _events(ev, problems)
    worst = worst_recovery(ev)
    _scan(ev, problems)

    if duplicates:
        problems.append(f"{duplicates} duplicates")
    if lost:
        problems.append(f"{lost} lost")
    if quota:
        problems.append(f"{quota} quota 429s (app {ev.rate_limited.get('app')}, "
                        f"token {ev.rate_limited.get('token')})")  # fmt: skip
    if worst > MAX_RECOVERY_S:
        problems.append(f"worst recovery {worst:.0f}s > {MAX_RECOVERY_S:.0f}s")
    line = (
        f"soak: {len(accepted)} accepted, {terminal} terminal, {duplicates} duplicates, "
        f"{lost} lost, {ev.kills} kills, {ev.redis_restarts} redis restarts, "
        f"{ev.postgres_restarts} postgres restarts, {quota} quota 429s, {events} events "
        f"({once} once), {ev.elapsed_s:.0f} s, worst recovery {worst:.0f} s"
    )
    return Verdict(line, problems)


def _duplicates(ev: Evidence, problems: list[str]) -> int:
    made = [e for e in ev.entities if e["kind"] in ENTITY_KINDS]
    unclaimed = [e for e in made if str(e["id"]) not in ev.claimed_ids]
    for e in unclaimed[:10]:
        problems.append(f"unclaimed {e['kind']} {e['id']} {e.get('name')!r}")
    at_snap = {str(e["id"]) for e in made}
    missing = 0
    for record in ev.results:
        result = record.get("result") or {}
        made_one = record["name"].endswith(".create") and result.get("status") == "succeeded"
        if made_one and str(result.get("snap_id")) not in at_snap:
            missing += 1
            problems.append(f"{record['name']} {record['task_id']} succeeded, entity missing")
    return len(unclaimed) + missing


def _final_states(ev: Evidence, problems: list[str]) -> None:
    from tests.soak.workload import expected_states

    by_id = {str(e["id"]): e for e in ev.entities}
    for entity_id, allowed in expected_states(ev.results).items():
        found = by_id.get(entity_id)
        if found is None:
            continue  # counted by _duplicates
        shown = (None if found["deleted"] else found.get("status"), bool(found["deleted"]))
        if not any(shown == (None if d else s, d) for s, d in allowed):
            status, deleted = allowed[0]
            sent = [f"{r['method']}:{r['status']}" for r in ev.requests if entity_id in r["path"]]
            problems.append(
                f"{found['kind']} {entity_id}: expected {'deleted' if deleted else status}, "
                f"sandbox has {'deleted' if found['deleted'] else found.get('status')} "
                f"(requests {' '.join(sent[-8:])})"
            )


def _redis_quiet(ev: Evidence, problems: list[str]) -> None:
    for down, up in ev.redis_down:
        during = [
            r for r in ev.requests
            if r["path"].startswith("/v1") and down + REDIS_GRACE_S < _arrived(r) < up
        ]  # fmt: skip
        if during:
            problems.append(
                f"{len(during)} requests reached the sandbox while Redis was down "
                f"(first {during[0]['method']} {during[0]['path']})"
            )


def _events(ev: Evidence, problems: list[str]) -> tuple[int, int]:
    ids = {e["event_id"] for e in ev.events}
    once = 0
    for change in ev.changes:
        got = {
            e["event_id"] for e in ev.events
            if e.get("entity_id") == change["entity_id"] and e.get("kind") == change["kind"]
        }  # fmt: skip
        if len(got) == 1:
            once += 1
        else:
            problems.append(f"{change['kind']} of {change['entity_id']}: {len(got)} event ids")
    return len(ids), once


def worst_recovery(ev: Evidence) -> float:
    """W, as the issue defines it: how long after a fault ended a task it hit was still
    unfinished. For each task hit by a fault, the time from the end of the last fault
    before its result to the result; the worst of them."""
    windows = _fault_windows(ev)
    worst = 0.0
    for record in ev.results:
        sent, done = record["sent_at"], record.get("done_at")
        if done is None or not _hit(sent, done, windows):
            continue
        ends = [end for start, end in windows if sent <= end <= done]
        worst = max(worst, done - max(ends, default=sent))
    return worst


def longest_outside_faults(ev: Evidence) -> tuple[float, str]:
    """The longest a task hit by a fault stayed unfinished outside fault windows, and its
    name (printed beside the line, not gated).

    W is small by construction while faults keep coming (each restarts the clock of a
    task that may have been stuck all along); this one is not, but it counts as "outside"
    the lasting effects of an instant fault (a 429 storm's backoff, a killed holder's
    lease), so a task hit by many faults shows long here."""
    windows = _fault_windows(ev)
    longest, name = 0.0, ""
    for record in ev.results:
        sent, done = record["sent_at"], record.get("done_at")
        if done is None or not _hit(sent, done, windows):
            continue
        inside = sum(max(0.0, min(done, end) - max(sent, start)) for start, end in windows)
        if done - sent - inside > longest:
            longest, name = done - sent - inside, record["name"]
    return longest, name


def _fault_windows(ev: Evidence) -> list[tuple[float, float]]:
    return sorted((f["start"], f["end"]) for f in ev.faults if f["kind"] not in QUIET)


def _hit(sent: float, done: float, windows: list[tuple[float, float]]) -> bool:
    return any(start <= done and end >= sent for start, end in windows)


def _scan(ev: Evidence, problems: list[str]) -> None:
    secrets = [s for s in ev.secrets if s and len(s) >= 8]
    for what, text in ev.scanned.items():
        for secret in secrets:
            if secret in text:
                problems.append(f"a secret ({secret[:3]}...) appears in {what}")
                break


def scan_files(paths: list[Path]) -> dict[str, str]:
    return {str(p): p.read_text(errors="replace") for p in paths if p.is_file()}
