"""The Celery side of the fleet: what every task shares, and one package per flow.

    app.py          the Celery app, its queues and beat's table, read from settings
    settings.py     every knob, read from the environment once and validated at start
    gate.py         the token gate: one Lua script, three scopes, fails closed
    runtime.py      what a worker process shares: sessions, the gate, Snap clients, FX
    results.py      what a task answers the runner (`succeeded` or `failed` + code)
    errors.py       every `code` a task can answer the runner, and the errors carrying one
    runner_task.py  the task base of the runner's connects and reads (no ad account write)
    tenancy.py      a payload naming its tenant_id may only touch that tenant's ad accounts
    logs.py         structured task logs (text or JSON) and the redaction filter
    metrics.py      per-worker Prometheus metrics and each attempt's gate wait, 429s, retries
    task_events.py  a returned failure reported to Flower as task-failed
    clock.py        the fleet's "now", swappable per app for tests
    banner.py       the dry-run banner a worker and beat print at start
    beat.py         beat's scheduler: redbeat whose lock cannot lapse, one send per run
    fx.py           FX rates: USD per unit of a currency on a day

    mutations/      the runner's writes: validate, journal, gate, send, record, reconcile
    sync/           polling Snap: stats pull, entity sync, detection, event delivery
    connections/    OAuth connect and disconnect, token storage and refresh
    reads/          reads for the runner: the mirrors, or fresh from Snap
    cli/            the `snapfleet` command, the demo, how worker/beat/flower start

Imports point one way: `tasks -> worker -> (snap, storage)`. `mutations` and `sync` never
import each other; only `cli` imports `tasks` (tests/unit/test_imports.py holds the rules).
"""
