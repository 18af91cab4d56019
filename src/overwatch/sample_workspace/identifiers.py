"""Identifiers shaped like the ones Databricks hands out, drawn from the workspace's seeded generator."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime

LOWERCASE_ALPHANUMERIC = string.ascii_lowercase + string.digits


def random_text(generator: random.Random, length: int, alphabet: str = LOWERCASE_ALPHANUMERIC) -> str:
    return "".join(generator.choice(alphabet) for _ in range(length))


def _time_prefix(created_ms: int) -> str:
    return datetime.fromtimestamp(created_ms / 1000, tz=UTC).strftime("%m%d-%H%M%S")


def cluster_id(generator: random.Random, created_ms: int) -> str:
    """Like `0105-093012-abcd1234`: creation date and time, then a random suffix."""
    return f"{_time_prefix(created_ms)}-{random_text(generator, 8)}"


def instance_pool_id(generator: random.Random, created_ms: int) -> str:
    return f"{_time_prefix(created_ms)}-{random_text(generator, 6)}-pool-{random_text(generator, 8)}"


def numeric_id(generator: random.Random, digits: int) -> int:
    return generator.randrange(10 ** (digits - 1), 10**digits)


def hex_id(generator: random.Random, length: int = 16) -> str:
    return f"{generator.getrandbits(length * 4):0{length}x}"
