"""Benchmarks that print side-by-side ratios; not part of the test suite.

Each `bench/*_bench.py` module has `run(duration_s) -> None`; `python -m bench` runs them all.
The capacity benches run on their own, one command each (README, Capacity):

    scale.py     python -m bench.scale [--accounts 10000]   the polling plan in simulated hours
    gate.py      python -m bench.gate                       the gate vs limits vs Celery rate_limit
    pipeline.py  python -m bench.pipeline                   creates/s through real workers
"""
