"""On-demand benchmarks (issue 8); not part of the default test run. See run.py."""
