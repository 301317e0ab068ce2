"""Reads for the runner: what the fleet knows, answered from its mirrors, or fresh from Snap.

accounts.py      organizations and ad accounts of a connection (with the last successful
                 stats sync of each account)
entities.py      campaigns, ad squads and ads of an ad account, by parent and status,
                 paged, with how fresh each one is; `fresh` reads through to Snap
experiments.py   an experiment's variants side by side and each treatment against the
                 control
significance.py  the two-proportion z-test behind that comparison
"""
