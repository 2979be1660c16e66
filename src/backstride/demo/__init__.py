"""Synthetic demo runner: for the demo and benchmarks only, never for correctness tests."""
