"""Benchmarks of convo on PostgreSQL, each against a baseline measured in the same run.

Run with `python -m bench` (add `--quick` for a smoke run, `--json PATH` to keep the results).
"""
