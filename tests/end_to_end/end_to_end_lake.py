"""The schemas the end-to-end package builds into (tests/end_to_end/conftest.py)."""

SCHEMA = "end_to_end"
# The same bronze built once, with --full-refresh, beside the two incremental builds of SCHEMA.
FULL_REFRESH_SCHEMA = "end_to_end_full_refresh"
