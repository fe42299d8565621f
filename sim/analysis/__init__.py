"""What the results mean, never printed or drawn here.

`replications` runs a scenario's replications into Results; `metrics` declares each
per-replication metric once; `statistics` holds the intervals and tests; `summary`,
`compare`, `sweep` and `sensitivity` build on them; `executors` runs work on a
process pool or a Dask cluster; `results_folder` writes and reads results folders.
"""
