"""The `snapfleet` command: every operator entry point of the fleet.

    main.py         the Typer app: sandbox, db, connect, call, schema, sync, worker, beat
    processes.py    how `snapfleet worker|beat|flower` start Celery with the fleet's app
    failfast.py     the checks before a command starts, and its one-line refusals
    status.py       `snapfleet status` and `snapfleet health`: the fleet on one screen
    send.py         `snapfleet send`: enqueue a task on the fleet and wait for its result
    journal.py      `snapfleet journal`: list, show and replay journal keys
    views.py        the rows that `sync now`, `accounts` and `events` print
    exporter.py     `snapfleet exporter`: the fleet-level gauges, read at scrape time
    envfile.py      the .env template of a docker-compose fleet (`settings --env-example`)
    demo.py         `make demo`: the fleet on one machine against the sandbox

This is the only package that imports `tasks`.
"""

from worker.cli.main import app

__all__ = ["app"]
