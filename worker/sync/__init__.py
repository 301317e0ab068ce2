"""The polling flow: what Snap never pushes, read on beat's schedule.

    task.py         `SyncTask`, the base of the read-only tasks: failures to results
    fanout.py       which ad accounts a fleet-wide job visits, and which it skips
    periodlock.py   at most one run of a periodic job per period
    stats.py        the stats pull of one ad account: requests, finality, rows to store
    entities.py     entity sync of one ad account, with detection over it
    detection.py    the transition rules: stored state vs fresh state -> events (pure)
    events.py       delivering stored events to the runner (the events table is the outbox)

Beat enqueues `snap.stats.pull_all` and `snap.detect.run`; each fans out one task per
account, which reads through the gate and upserts what it read.
"""
