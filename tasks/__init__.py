"""The task catalog: one thin Celery task per name the runner sends, grouped like `worker/`.

    mutations/      snap.campaign|adsquad|ad.*, snap.media.upload, snap.creative.create,
                    snap.experiment.*, snap.journal.complete|reap
    sync/           snap.stats.pull|pull_all|backfill, snap.detect.run|deliver,
                    snap.webhook.register
    connections.py  snap.connection.authorize|complete|disconnect|refresh|refresh_due
    reads.py        snap.organizations.list, snap.adaccounts.list,
                    snap.campaign|adsquad|ad.list, snap.experiment.results
    payloads        the payload models each task validates its kwargs with

Each task validates its payload, then hands over to the flow in `worker/` that owns it.
"""
