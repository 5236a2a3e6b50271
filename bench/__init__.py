"""Rowscan's benchmark suite: `python bench/run_all.py` (see bench/README.md)."""
