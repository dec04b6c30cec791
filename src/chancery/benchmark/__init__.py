"""Benchmark support: the baseline endpoint that bench/intake.py measures Chancery against.

Nothing here is reachable unless ``CHANCERY_BENCH_ENDPOINTS`` is on (off by default).
"""
