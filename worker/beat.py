"""The fleet's beat scheduler: redbeat, with a lock that cannot lapse and one send per due run.

redbeat keeps the schedule and a lock in Redis so one beat of many sends. Three of its
behaviours do not fit a fleet that must run for weeks, so `FleetScheduler` changes them:

- Its lock is extended once per loop, and a lock that expired while beat slept (a loop
  interval longer than the lock timeout, a stopped or frozen process) raises
  `LockNotOwnedError` out of `tick` and kills beat (redbeat issues #92, #129:
  https://github.com/sibson/redbeat/issues/92). Settings keep the loop interval at most a
  third of the lock timeout (`worker.settings`), and a beat that finds its lock gone goes
  back to standby instead of dying: it waits for the lock like a beat that just started.
- A beat that lost its lock between extending it and sending (stopped by SIGSTOP, a long GC
  pause) would still send what it had found due, after the standby that took over sent it
  too. Here each run is claimed before it is sent, by one Lua script that checks the lock is
  still this beat's and the job's last run is still the one it read, and moves the job to
  its next run. Whoever claims sends; a claim that fails sends nothing.
- A job redbeat has never seen starts its clock at beat's start, so a fresh fleet pulled its
  first stats an hour after start. Here a job with no run recorded in Redis is due at once;
  a job that ran keeps its last run, so a restarted beat or a standby taking over continues
  the schedule rather than repeating it.

The active beat also records each tick in Redis (`BEAT_TICK_KEY`: who, when, under which
lock token), which `beat_state` reads for `snapfleet health beat` and `snapfleet status`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery.beat import ScheduleEntry
from redbeat.decoder import RedBeatJSONEncoder
from redbeat.schedulers import (
    ADD_ENTRY_ERROR,
    LUA_EXTEND_TO_SCRIPT,
    RedBeatScheduler,
    RedBeatSchedulerEntry,
    ensure_conf,
    get_redis,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError
from redis.exceptions import TimeoutError as RedisTimeoutError

from worker.settings import BEAT_LOOPS_PER_LOCK, check_loop_interval

__all__ = [
    "BEAT_TICK_KEY",
    "BeatState",
    "FleetScheduler",
    "beat_state",
    "lock_key",
]

logger = logging.getLogger("celery.beat")

BEAT_TICK_KEY = "snapfleet:beat:tick"
# Kept a day, so `status` can still say when a beat that died last ticked.
TICK_RECORD_TTL_S = 86_400
# How often a standby asks for the lock: redbeat polls once per loop interval, which adds
# up to a whole loop to a takeover; one Redis SET NX a second per standby costs nothing.
STANDBY_POLL_S = 1.0

# KEYS: lock, job, schedule zset. ARGV: our lock token, the job's meta as read ('' when
# none), its next meta, its next score. -1: the lock is not ours; 0: another beat ran it.
_CLAIM_SCRIPT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return -1 end
local meta = redis.call('hget', KEYS[2], 'meta')
if not meta then meta = '' end
if meta ~= ARGV[2] then return 0 end
redis.call('hset', KEYS[2], 'meta', ARGV[3])
redis.call('zadd', KEYS[3], ARGV[4], KEYS[2])
return 1
"""


class LockLost(Exception):
    """Another beat holds the lock now: send nothing more, go back to standby."""


def lock_key(app: Any) -> str:
    """The Redis key of the beat lock (redbeat's `redbeat::lock` unless configured)."""
    return str(ensure_conf(app).lock_key)


class FleetScheduler(RedBeatScheduler):
    """redbeat's scheduler with the fleet's lock handling; see the module docstring."""

    def __init__(self, app: Any, lock_key: str | None = None, **kwargs: Any) -> None:
        loop_s = kwargs.get("max_interval") or app.conf.beat_max_loop_interval
        lock_s = kwargs.get("lock_timeout") or ensure_conf(app).lock_timeout
        if loop_s and lock_s:
            check_loop_interval(float(loop_s), float(lock_s))
        super().__init__(app, lock_key=lock_key, **kwargs)
        # redbeat's own `beat_init` receiver acquires the lock when `lock_key` is set,
        # polling it once per loop interval; this scheduler takes the lock in `tick` with
        # a shorter poll, so it keeps the key under its own name.
        self.fleet_lock_key: str = str(self.lock_key)  # type: ignore[has-type]
        self.lock_key = None
        self._claim_script: Any = None
        self._standby_logged = False

    @property
    def info(self) -> str:
        return (
            f"       . lock -> `{self.fleet_lock_key}` {self.lock_timeout}s, "
            f"loop {self.max_interval}s, standby poll {STANDBY_POLL_S:g}s"
        )

    # The schedule as stored in Redis.

    def update_from_dict(self, dict_: dict[str, Any]) -> None:
        for name, definition in dict_.items():
            key = self.Entry.generate_key(self.app, name)
            try:
                stored_last_run = self.Entry.from_key(key, app=self.app).last_run_at
            except KeyError:
                stored_last_run = None
            try:
                entry = self._maybe_entry(name, definition)
            except Exception as exc:  # redbeat's own handling: log the entry, keep the rest
                logger.error(ADD_ENTRY_ERROR, name, exc, definition)
                continue
            # None = never ran = due now; `save` only sets the run if none is stored yet,
            # so a beat starting next to a running one never moves a job back.
            entry.last_run_at = stored_last_run
            entry.save()

    # The loop.

    def tick(self, min: Any = min, **kwargs: Any) -> float:
        if not self._extend_lock():
            try:
                self._wait_for_lock()
            except (RedisConnectionError, RedisTimeoutError) as exc:
                # Redis is down (a restart, a failover): stay standby and ask again next
                # tick; raising here would end beat, and the fleet would run unscheduled.
                logger.error("beat: Redis unreachable while waiting for the lock (%s)", exc)
                return float(self.max_interval)
        self._record_tick()
        remaining = []
        try:
            for entry in self.schedule.values():
                next_s = self.maybe_due(entry, **self._maybe_due_kwargs)
                if next_s:
                    remaining.append(next_s)
        except LockLost:
            self._lost_lock("while sending")
            return 0.0
        except RuntimeError:
            logger.debug("beat: RuntimeError", exc_info=True)
        return float(min([*remaining, self.max_interval]))

    def maybe_due(self, entry: Any, **kwargs: Any) -> float:
        is_due, next_s = entry.is_due()
        if not is_due:
            return float(next_s)
        try:
            claimed = self._claim(entry)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.error("beat: could not claim %s (%s); it stays due", entry.name, exc)
            return float(self.max_interval)
        if claimed is None:
            logger.info("beat: %s already sent by another beat; skipped", entry.name)
            return float(self.max_interval)
        logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        try:
            result = self.apply_async(claimed, advance=False, **kwargs)
        except Exception as exc:
            logger.exception("Scheduler: Message Error: %s", exc)
        else:
            logger.debug("Scheduler: %s sent. id->%s", entry.task, getattr(result, "id", None))
        return float(next_s)

    def _claim(self, entry: Any) -> Any | None:
        """Move the job to its next run if the lock is ours and nobody ran it meanwhile.

        Returns the entry to send, or None when another beat ran it. Raises LockLost.
        """
        client = get_redis(self.app)
        raw_meta = client.hget(entry.key, "meta") or ""
        meta = RedBeatSchedulerEntry.decode_meta(raw_meta)
        entry.last_run_at = meta.get("last_run_at")
        entry.total_run_count = meta.get("total_run_count") or 0
        if not entry.is_due()[0]:
            return None
        following = ScheduleEntry._next_instance(entry)
        next_meta = json.dumps(
            {"last_run_at": following.last_run_at, "total_run_count": following.total_run_count},
            cls=RedBeatJSONEncoder,
        )
        if self._claim_script is None:
            self._claim_script = client.register_script(_CLAIM_SCRIPT)
        outcome = self._claim_script(
            keys=[self.fleet_lock_key, entry.key, self.app.redbeat_conf.schedule_key],
            args=[self._token(), raw_meta, next_meta, following.score],
        )
        if int(outcome) < 0:
            raise LockLost(entry.name)
        return following if int(outcome) == 1 else None

    # The lock.

    def _token(self) -> str:
        token = self.lock.local.token if self.lock is not None else None
        return token.decode() if isinstance(token, bytes) else str(token or "")

    def _extend_lock(self) -> bool:
        if self.lock is None:
            return False
        try:
            self.lock.extend(int(self.lock_timeout))
        except LockError:
            self._lost_lock("while beat was not running (stopped, or a loop too long)")
            return False
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Redis gone past redbeat's own retries: the lock may lapse; the next tick
            # finds out and waits for it again rather than sending on a lock it may not hold.
            logger.error("beat: could not extend the lock (%s)", exc)
            return False
        return True

    def _lost_lock(self, when: str) -> None:
        logger.warning(
            "beat: lost the lock %s %s; another beat is active, this one is standby again "
            "and sends nothing until it holds the lock",
            self.fleet_lock_key,
            when,
        )
        self.lock = None
        self._standby_logged = False

    def _wait_for_lock(self) -> None:
        """Block until this beat holds the lock (a standby waits here)."""
        client = get_redis(self.app)
        lock = client.lock(self.fleet_lock_key, timeout=self.lock_timeout, sleep=STANDBY_POLL_S)
        # redbeat's extend script sets the TTL to the timeout instead of adding to it.
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            holder = _read_tick(client)
            logger.info(
                "beat: standby: %s is held by %s; taking over when it is free",
                self.fleet_lock_key,
                holder.get("name", "another beat") if holder else "another beat",
            )
            lock.acquire()
        logger.info("beat: acquired the lock %s; this beat is active", self.fleet_lock_key)
        self.lock = lock

    def _record_tick(self) -> None:
        record = {
            "name": f"{socket.gethostname()} pid {os.getpid()}",
            "token": self._token(),
            "at": time.time(),
            "loop_s": float(self.max_interval),
        }
        try:
            get_redis(self.app).set(BEAT_TICK_KEY, json.dumps(record), ex=TICK_RECORD_TTL_S)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.error("beat: could not record its tick (%s)", exc)

    def close(self) -> None:
        if self.lock is not None:
            try:
                if self.lock.owned():
                    logger.info("beat: releasing the lock %s", self.fleet_lock_key)
                    self.lock.release()
            except (LockError, RedisConnectionError, RedisTimeoutError):
                pass  # it expires on its own
            self.lock = None
        super().close()


def _read_tick(client: Any) -> dict[str, Any] | None:
    raw = client.get(BEAT_TICK_KEY)
    if not raw:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


@dataclass(frozen=True)
class BeatState:
    """Who is the active beat and whether it is alive, as Redis says."""

    holder: str | None  # "host pid N" of the beat that holds the lock and last ticked
    locked: bool  # some beat holds the lock
    last_tick_at: datetime | None
    tick_age_s: float | None
    problem: str | None  # None when healthy

    @property
    def healthy(self) -> bool:
        return self.problem is None


def beat_state(client: Any, *, key: str, loop_s: float, now: float | None = None) -> BeatState:
    """Healthy when a beat holds the lock and ticked within three loop intervals."""
    now = time.time() if now is None else now
    raw_token = client.get(key)
    token = raw_token.decode() if isinstance(raw_token, bytes) else raw_token
    record = _read_tick(client)
    at = float(record["at"]) if record and "at" in record else None
    tick_at = datetime.fromtimestamp(at, UTC) if at is not None else None
    age = max(0.0, now - at) if at is not None else None
    holder = str(record.get("name")) if record else None
    if token is None:
        problem = "no beat holds the lock: no job is being sent"
    elif record is None or record.get("token") != token:
        problem = "the beat holding the lock has not ticked yet"
        holder = None
    elif age is not None and age > BEAT_LOOPS_PER_LOCK * loop_s:
        problem = f"the active beat last ticked {age:.0f}s ago (loop {loop_s:g}s)"
    else:
        problem = None
    return BeatState(holder, token is not None, tick_at, age, problem)
