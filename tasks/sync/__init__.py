"""The polling tasks beat enqueues: stats pull and detection, each fanned out per account.

stats.py        snap.stats.pull, snap.stats.pull_all
detect.py       snap.detect.run, and the delivery sweep of stored events
"""
