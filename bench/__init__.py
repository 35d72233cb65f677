"""Benchmarks (run as scripts; importable so tests can check the generated data)."""
