"""Connections: a tenant's OAuth tokens, from the code exchange to each refresh.

connect.py      connect a tenant (code or tokens) and disconnect it; a refused probe
                marks the connection as needing re-authorisation
capture.py      store the tokens encrypted, then capture the organizations and ad
                accounts the tenant may act on
tokens.py       refreshing an access token ahead of expiry, one worker at a time
authorize.py    the dashboard's flow as tasks: authorize (a single-use, expiring state),
                complete (state spent, code exchanged once, accounts captured, backfills
                asked for), disconnect
exchange.py     the code exchange, journaled like a write: a code is never sent twice
"""
