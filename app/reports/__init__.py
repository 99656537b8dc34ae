"""Reports: CSV and Excel exports of the filtered order list, run as background jobs (see docs/PERFORMANCE.md)."""
