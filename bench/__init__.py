"""Benchmarks that print side-by-side ratios; not part of the test suite.

Each `bench/*_bench.py` module has `run(duration_s) -> None`; `python -m bench` runs them all.
"""
