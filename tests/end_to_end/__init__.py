"""A package, not a plain folder: only a package's `scope="package"` fixtures end with its last test.
In a folder without this file they live for the whole session, and the lake's schema (OVERWATCH_SCHEMA)
stayed set for every module that ran after it on the same worker."""
