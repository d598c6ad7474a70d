"""Benchmarks for flyteplane, run by `make bench`: they print figures and never pass or fail on time."""
