"""The task catalog: one thin Celery task per name the runner sends, grouped like `worker/`.

    mutations/      snap.campaign|adsquad|ad.*, snap.media.upload, snap.creative.create,
                    snap.experiment.*, snap.journal.complete|reap
    sync/           snap.stats.pull|pull_all, snap.detect.run|deliver, snap.webhook.register
    connections.py  snap.connection.refresh|refresh_due
    payloads        the payload models each task validates its kwargs with

Each task validates its payload, then hands over to the flow in `worker/` that owns it.
"""
