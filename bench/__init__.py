"""Benchmarks: commands anyone can rerun (`python -m bench.ingest`, ...); see docs/benchmarks.md."""
