"""Raw JSON pages from the Databricks REST API, through databricks-sdk.

The SDK's typed methods drop fields their dataclasses do not know, and bronze must keep every field,
so the loaders call the SDK's own `api_client.do` (its authentication, its 429/503 back-off, its error
types) and walk the pages here. A 500 is retried too, with the SDK's `retried` helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from databricks.sdk.errors import InternalError, TemporarilyUnavailable
from databricks.sdk.retries import retried

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

SERVER_ERROR_RETRY_TIMEOUT = timedelta(minutes=5)
SERVER_ERROR_MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class ListEndpoint:
    """A list endpoint: where its items sit in the answer and how it pages."""

    method: str
    path: str
    items_field: str
    id_field: str
    query: tuple[tuple[str, Any], ...] = ()
    pages_by_token: bool = False

    @property
    def description(self) -> str:
        return f"{self.method} {self.path}"

    def with_query(self, extra: tuple[tuple[str, Any], ...]) -> ListEndpoint:
        return replace(self, query=self.query + extra)


def call_api(
    client: WorkspaceClient,
    method: str,
    path: str,
    *,
    query: dict | None = None,
    body: dict | None = None,
) -> dict:
    """One request, retried on 500 as well as on the 429/503 the SDK already backs off from."""

    @retried(
        on=[InternalError, TemporarilyUnavailable],
        timeout=SERVER_ERROR_RETRY_TIMEOUT,
        max_attempts=SERVER_ERROR_MAX_ATTEMPTS,
    )
    def attempt() -> dict:
        return client.api_client.do(method, path, query=query, body=body) or {}

    return attempt()


def list_items(client: WorkspaceClient, endpoint: ListEndpoint) -> Iterator[dict]:
    """Every item of a list endpoint, page after page, as the raw JSON objects the API returned."""
    query = dict(endpoint.query)
    while True:
        page = call_api(client, endpoint.method, endpoint.path, query=query)
        yield from page.get(endpoint.items_field) or []
        next_token = page.get("next_page_token") if endpoint.pages_by_token else None
        if not next_token:
            return
        query["page_token"] = next_token
