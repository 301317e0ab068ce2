"""The fleet's memory: SQLAlchemy 2 models, Alembic migrations and one repository per aggregate.

Repositories are plain modules of small functions that take a `Session` and never commit:
the caller owns the unit of work (`with factory.begin() as session: ...`). The same models
and migrations serve PostgreSQL (psycopg 3, the fleet) and SQLite (the embedded mode).

    connections  OAuth connections, refresh/access tokens encrypted at rest (cipher.py)
    accounts     organizations, ad accounts and their stats-sync bookkeeping
    mirrors      campaigns, ad squads, ads, creatives, media as last seen on Snap
    stats        daily and hourly stats rows, USD filled when an FX rate arrives
    fx           FX rates to USD
    journal      the mutation journal: claim, lease, fenced outcomes
    receipts     mutation messages a worker node holds, before any journal row
    journal_ops  the journal by hand: list it, read one key, reopen one for a replay
    events       state-change events, one row per transition
    experiments  experiments and their variants
    polling      what the polling plan knows of each account, in a few grouped queries
    authorizations  OAuth `state` values: issued per tenant, spent once, expiring
    backfills    stats backfills: resume point and progress, moved with the rows
    reads        what the read tasks answer: keyset-paged lists, per-variant totals
    snap_values  Snap's JSON values (times, micro amounts, lists) read into column values
    gauges       the fleet-level questions of `snapfleet status` and the exporter
    filelocks    named locks beside a SQLite database, for work that must not hold its writer

This package never imports snap, worker, celery or httpx (docs/architecture.md, Import rules).
"""
