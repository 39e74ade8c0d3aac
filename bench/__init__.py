"""Benchmarks and the synthetic events they run on (`python -m bench.solver_bench`)."""
