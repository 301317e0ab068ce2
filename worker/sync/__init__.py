"""The polling flow: what Snap never pushes, read on beat's schedule.

    task.py         `SyncTask`, the base of the read-only tasks: failures to results
    fanout.py       which ad accounts a fleet-wide job visits, and which it skips
    periodlock.py   at most one run of a periodic job per period
    stats.py        the stats pull of one ad account: requests, finality, rows to store
    backfill.py     an account's stats history since a day, window by window, resumable
    entities.py     entity sync of one ad account, with detection over it
    detection.py    the transition rules: stored state vs fresh state -> events (pure)
    events.py       delivering stored events to the runner (the events table is the outbox)
    plan.py         the polling plan: per-account tiers, due reads, the call budget
    planned.py      the plan's reads (ads listing, full listing, organization status)

Beat enqueues `snap.stats.pull_all` (hourly) and `snap.detect.run` (every tick); each
enqueues what the polling plan says is due, and every read goes through the gate's sync
lane and upserts what it read.
"""
