"""Benchmarks for quizbot; run `python -m bench.storage --help` from the repository root."""
