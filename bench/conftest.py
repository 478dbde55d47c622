"""pytest-benchmark configuration: benchmarks here run only with ``--benchmark-only``."""
