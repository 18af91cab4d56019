"""Databricks workspace observability: bronze loaders, sample workspace and dbt runner."""

__version__ = "0.1.0"
