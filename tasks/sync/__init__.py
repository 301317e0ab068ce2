"""The polling tasks beat enqueues: stats pull and detection, each fanned out per account.

stats.py        snap.stats.pull, snap.stats.pull_all
backfill.py     snap.stats.backfill: an account's history since a day, resumable
detect.py       snap.detect.run, and the delivery sweep of stored events
"""
