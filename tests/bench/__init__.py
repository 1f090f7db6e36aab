"""The platform's load benchmark: ``nox -s bench`` (see BENCHMARKS.md)."""
