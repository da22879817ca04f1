"""Benchmarks of the real server under gunicorn: `python bench/run.py --help`."""
