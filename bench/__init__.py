"""Benchmarks for the realtime board (see bench/README.md)."""
