"""simpipe's benchmarks: `python -m bench.run [case ...]` (make bench); one module per case in `cases/`."""
