"""The mutation flow: a runner's write reaches Snap exactly once.

    task.py         `MutationTask`, the task base: validate the payload, resolve the
                    account, convert USD to micro-currency, map errors to result codes
    writes.py       one journaled write: key, claim, gate, send, record
    heartbeat.py    a live attempt renews its journal leases and create locks while it runs
    recovery.py     a node's receipts of mutation messages; a lost pool child's leases freed
    reconcile.py    list-and-match: did a create whose answer was lost land after all?
    completer.py    beat re-drives unfinished journal keys; the reaper deletes old ones
    media_source.py where an upload's bytes come from (a checked URL or an allowed file)
    media_ready.py  waiting for an uploaded media to turn READY

A task in `tasks/mutations/` is a few lines on `MutationTask`; everything about keys,
leases and unknown outcomes lives here.
"""
