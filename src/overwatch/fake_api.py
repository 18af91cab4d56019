"""A local stand-in for one workspace's Databricks REST API, served from a sample workspace's SQLite.

`databricks.sdk.WorkspaceClient(host=api.host, token=api.token)` talks to it as to a real workspace:
bearer-token authentication, Databricks' JSON error bodies, the paging of each list endpoint, and
injectable 429/500/503 answers to exercise retries. Pages are kept small so paging is exercised.

    python -m overwatch.fake_api --sample-dir DIR --organization-id ID [--port N]
"""

from __future__ import annotations

import argparse
import base64
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from overwatch.sample_workspace.api_store import ApiStore

# Read by the SDK, without credentials, when a client is made: tells it the workspace id and cloud.
HOST_METADATA_PATH = "/.well-known/databricks-config"
DEFAULT_TOKEN = "dapi-sample-workspace-token"
DEFAULT_PAGE_SIZE = 5
# The API's own ceilings, applied before the server's (smaller) page size.
EVENTS_MAX_LIMIT = 500
EVENTS_DEFAULT_LIMIT = 50
JOBS_MAX_LIMIT = 100
RUNS_MAX_LIMIT = 25
DEFAULT_LIST_LIMIT = 20
QUERY_HISTORY_DEFAULT_LIMIT = 100
QUERY_HISTORY_MAX_LIMIT = 1000
ERROR_CODES = {
    400: "INVALID_PARAMETER_VALUE",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    503: "TEMPORARILY_UNAVAILABLE",
}


class ApiError(Exception):
    def __init__(self, status: int, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code or ERROR_CODES.get(status, "UNKNOWN")


@dataclass
class InjectedFailure:
    path_prefix: str
    status: int
    remaining: int
    retry_after_seconds: int


@dataclass(frozen=True)
class ApiRequest:
    query: dict[str, str]
    body: dict[str, Any]

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.body.get(name, self.query.get(name))
        return default if value in (None, "") else int(value)

    def flag(self, name: str) -> bool:
        value = self.body.get(name, self.query.get(name))
        return str(value).lower() == "true"

    def text(self, name: str) -> str | None:
        value = self.body.get(name, self.query.get(name))
        return None if value is None else str(value)


class FakeDatabricksApi:
    """Serves one workspace; use as a context manager or call `start()` and `stop()`."""

    def __init__(
        self,
        sqlite_path: Path,
        *,
        token: str = DEFAULT_TOKEN,
        page_size: int = DEFAULT_PAGE_SIZE,
        as_of_ms: int | None = None,
        port: int = 0,
    ) -> None:
        self.sqlite_path = Path(sqlite_path)
        if not self.sqlite_path.exists():
            raise FileNotFoundError(self.sqlite_path)
        self.token = token
        self.page_size = page_size
        self.as_of_ms = as_of_ms
        self.port = port
        self.requests_served: list[tuple[str, str, int]] = []
        self._failures: list[InjectedFailure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._routes: dict[tuple[str, str], Callable[[ApiRequest], dict[str, Any]]] = {
            ("GET", "/api/2.1/clusters/list"): self._clusters_list,
            ("GET", "/api/2.1/clusters/get"): self._clusters_get,
            ("POST", "/api/2.1/clusters/events"): self._cluster_events,
            ("GET", "/api/2.2/jobs/list"): self._jobs_list,
            ("GET", "/api/2.2/jobs/runs/list"): self._runs_list,
            ("GET", "/api/2.0/instance-pools/list"): self._instance_pools,
            ("GET", "/api/2.0/sql/warehouses"): self._sql_warehouses,
            ("GET", "/api/2.0/policies/clusters/list"): self._cluster_policies,
            ("GET", "/api/2.0/instance-profiles/list"): self._instance_profiles,
            ("GET", "/api/2.0/sql/history/queries"): self._query_history,
            ("GET", "/api/2.0/token-management/tokens"): self._tokens,
            ("GET", "/api/2.0/token/list"): self._tokens,
            ("GET", "/api/2.0/global-init-scripts"): self._global_init_scripts,
        }

    # --- lifecycle -----------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake API is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeDatabricksApi:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-databricks-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeDatabricksApi:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def inject_failures(
        self, path_prefix: str, status: int, count: int, *, retry_after_seconds: int = 1
    ) -> None:
        """The next `count` requests whose path starts with `path_prefix` fail with `status`."""
        with self._lock:
            self._failures.append(InjectedFailure(path_prefix, status, count, retry_after_seconds))

    # --- request handling ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], request: ApiRequest
    ) -> tuple[int, dict, dict]:
        """Returns status, JSON body and extra headers for one request."""
        if method == "GET" and path == HOST_METADATA_PATH:
            return 200, self._host_metadata(), {}
        authorization = headers.get("authorization")
        if not authorization:
            raise ApiError(401, "Credential was not sent or was of an unsupported type for this API.")
        if authorization != f"Bearer {self.token}":
            raise ApiError(403, "Invalid access token.")
        failure = self._take_failure(path)
        if failure is not None:
            retry_headers = (
                {"Retry-After": str(failure.retry_after_seconds)} if failure.status in (429, 503) else {}
            )
            raise _InjectedApiError(failure.status, f"Injected failure for {path}", retry_headers)
        route = self._routes.get((method, path))
        if route is None:
            raise ApiError(404, f"No API found for '{method} {path}'")
        return 200, route(request), {}

    def _host_metadata(self) -> dict[str, Any]:
        metadata = dict(self._query("SELECT key, value FROM metadata"))
        answer: dict[str, Any] = {"oidc_endpoint": f"{self.host}/oidc"}
        if "organization_id" in metadata:
            answer["workspace_id"] = metadata["organization_id"]
        if "cloud" in metadata:
            answer["cloud"] = metadata["cloud"].upper()
        return answer

    def _take_failure(self, path: str) -> InjectedFailure | None:
        with self._lock:
            for failure in self._failures:
                if failure.remaining > 0 and path.startswith(failure.path_prefix):
                    failure.remaining -= 1
                    return failure
        return None

    def _query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple]:
        connection = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True)
        try:
            return connection.execute(sql, tuple(parameters)).fetchall()
        finally:
            connection.close()

    def _now_ms(self) -> int:
        return self.as_of_ms if self.as_of_ms is not None else 2**62

    # --- endpoints -----------------------------------------------------------------------------------

    def _clusters_list(self, request: ApiRequest) -> dict[str, Any]:
        rows = self._query(
            "SELECT json FROM clusters WHERE created_time_ms <= ?"
            " AND (deleted_time_ms IS NULL OR deleted_time_ms > ?)"
            " ORDER BY created_time_ms DESC, cluster_id",
            (self._now_ms(), self._now_ms()),
        )
        limit = self._page_limit(request.integer("page_size"), DEFAULT_LIST_LIMIT, EVENTS_MAX_LIMIT)
        page, next_token = _token_page(
            [json.loads(row[0]) for row in rows], request.text("page_token"), limit
        )
        answer: dict[str, Any] = {"clusters": page}
        if next_token:
            answer["next_page_token"] = next_token
        return answer

    def _clusters_get(self, request: ApiRequest) -> dict[str, Any]:
        cluster_id = request.text("cluster_id")
        rows = self._query(
            "SELECT json FROM clusters WHERE cluster_id = ? AND created_time_ms <= ?"
            " AND (deleted_time_ms IS NULL OR deleted_time_ms > ?)",
            (cluster_id, self._now_ms(), self._now_ms()),
        )
        if not rows:
            raise ApiError(400, f"Cluster {cluster_id} does not exist")
        return json.loads(rows[0][0])

    def _cluster_events(self, request: ApiRequest) -> dict[str, Any]:
        cluster_id = request.text("cluster_id")
        if not cluster_id or not self._query("SELECT 1 FROM clusters WHERE cluster_id = ?", (cluster_id,)):
            raise ApiError(400, f"Cluster {cluster_id} does not exist")
        start = request.integer("start_time", 0)
        end = min(request.integer("end_time", 2**62) or 2**62, self._now_ms())
        descending = (request.text("order") or "DESC").upper() == "DESC"
        filters, parameters = (
            "cluster_id = ? AND timestamp_ms >= ? AND timestamp_ms <= ?",
            [cluster_id, start, end],
        )
        event_types = request.body.get("event_types") or []
        if event_types:
            filters += f" AND type IN ({', '.join('?' for _ in event_types)})"
            parameters += list(event_types)
        direction = "DESC" if descending else "ASC"
        rows = self._query(
            f"SELECT json FROM cluster_events WHERE {filters}"
            f" ORDER BY timestamp_ms {direction}, sequence {direction}",
            parameters,
        )
        events = [json.loads(row[0]) for row in rows]
        if request.body.get("page_size") is not None or request.body.get("page_token"):
            return self._events_by_token(events, request)
        return self._events_by_offset(events, request)

    def _events_by_offset(self, events: list[dict], request: ApiRequest) -> dict[str, Any]:
        requested_limit = request.integer("limit", EVENTS_DEFAULT_LIMIT) or EVENTS_DEFAULT_LIMIT
        limit = self._page_limit(requested_limit, EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT)
        offset = request.integer("offset", 0) or 0
        page = events[offset : offset + limit]
        answer: dict[str, Any] = {"events": page, "total_count": len(events)}
        if offset + len(page) < len(events):
            # The SDK posts this back verbatim as the next request.
            answer["next_page"] = {**request.body, "offset": offset + len(page), "limit": requested_limit}
        return answer

    def _events_by_token(self, events: list[dict], request: ApiRequest) -> dict[str, Any]:
        limit = self._page_limit(request.integer("page_size"), EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT)
        page, next_token = _token_page(events, request.text("page_token"), limit)
        answer: dict[str, Any] = {"events": page, "total_count": len(events)}
        if next_token:
            answer["next_page_token"] = next_token
        return answer

    def _jobs_list(self, request: ApiRequest) -> dict[str, Any]:
        rows = self._query(
            "SELECT json FROM jobs WHERE created_time_ms <= ?"
            " AND (deleted_time_ms IS NULL OR deleted_time_ms > ?)"
            " ORDER BY created_time_ms, job_id",
            (self._now_ms(), self._now_ms()),
        )
        jobs = [json.loads(row[0]) for row in rows]
        if not request.flag("expand_tasks"):
            jobs = [_without_tasks(job) for job in jobs]
        limit = self._page_limit(request.integer("limit"), DEFAULT_LIST_LIMIT, JOBS_MAX_LIMIT)
        page, next_token = _token_page(jobs, request.text("page_token"), limit)
        return _listing("jobs", page, next_token)

    def _runs_list(self, request: ApiRequest) -> dict[str, Any]:
        if request.flag("active_only") and request.flag("completed_only"):
            raise ApiError(400, "active_only and completed_only cannot both be true")
        filters = ["start_time_ms <= ?", "start_time_ms >= ?"]
        parameters: list[Any] = [
            min(request.integer("start_time_to", 2**62) or 2**62, self._now_ms()),
            request.integer("start_time_from", 0),
        ]
        if request.integer("job_id") is not None:
            filters.append("job_id = ?")
            parameters.append(request.integer("job_id"))
        if request.flag("active_only"):
            filters.append("end_time_ms > ?")
            parameters.append(self._now_ms())
        if request.flag("completed_only"):
            filters.append("end_time_ms <= ?")
            parameters.append(self._now_ms())
        where = " AND ".join(filters)
        sql = f"SELECT json FROM job_runs WHERE {where} ORDER BY start_time_ms DESC, run_id DESC"
        runs = [json.loads(row[0]) for row in self._query(sql, parameters)]
        if not request.flag("expand_tasks"):
            runs = [{key: value for key, value in run.items() if key != "tasks"} for run in runs]
        limit = self._page_limit(request.integer("limit"), DEFAULT_LIST_LIMIT, RUNS_MAX_LIMIT)
        page, next_token = _token_page(runs, request.text("page_token"), limit)
        return _listing("runs", page, next_token)

    def _instance_pools(self, _: ApiRequest) -> dict[str, Any]:
        return {"instance_pools": self._existing("instance_pools", "instance_pool_id")}

    def _sql_warehouses(self, _: ApiRequest) -> dict[str, Any]:
        return {"warehouses": self._existing("sql_warehouses", "id")}

    def _cluster_policies(self, _: ApiRequest) -> dict[str, Any]:
        rows = self._query(
            "SELECT json FROM cluster_policies WHERE created_time_ms <= ? ORDER BY policy_id",
            (self._now_ms(),),
        )
        policies = [json.loads(row[0]) for row in rows]
        return {"policies": policies, "total_count": len(policies)}

    def _instance_profiles(self, _: ApiRequest) -> dict[str, Any]:
        rows = self._query("SELECT json FROM instance_profiles ORDER BY instance_profile_arn")
        return {"instance_profiles": [json.loads(row[0]) for row in rows]} if rows else {}

    def _tokens(self, _: ApiRequest) -> dict[str, Any]:
        # Token metadata only: neither the API nor the sample workspace holds a token value.
        rows = self._query(
            "SELECT json FROM tokens WHERE created_time_ms <= ? ORDER BY token_id", (self._now_ms(),)
        )
        return {"token_infos": [json.loads(row[0]) for row in rows]} if rows else {}

    def _global_init_scripts(self, _: ApiRequest) -> dict[str, Any]:
        rows = self._query(
            "SELECT json FROM global_init_scripts WHERE created_time_ms <= ? ORDER BY script_id",
            (self._now_ms(),),
        )
        return {"scripts": [json.loads(row[0]) for row in rows]} if rows else {}

    def _query_history(self, request: ApiRequest) -> dict[str, Any]:
        """Queries started in the filter's range, newest first; a query not yet ended at the server's
        time is served as the API shows a running one. The page token carries the filter, as the real
        API's does, so later pages are asked for with the token alone."""
        page_token = request.text("page_token")
        if page_token:
            position = _decode_query_history_token(page_token)
        else:
            position = {
                "offset": 0,
                "start_time_ms": _query_start_bound(request, "start_time_ms"),
                "end_time_ms": _query_start_bound(request, "end_time_ms"),
            }
        now_ms = self._now_ms()
        filters, parameters = ["start_time_ms <= ?"], [now_ms]
        if position["start_time_ms"] is not None:
            filters.append("start_time_ms >= ?")
            parameters.append(position["start_time_ms"])
        if position["end_time_ms"] is not None:
            filters.append("start_time_ms < ?")
            parameters.append(position["end_time_ms"])
        where = " AND ".join(filters)
        rows = self._query(
            f"SELECT json FROM sql_queries WHERE {where} ORDER BY start_time_ms DESC, query_id", parameters
        )
        queries = [_query_as_of(json.loads(row[0]), now_ms) for row in rows]
        if not request.flag("include_metrics"):
            queries = [{key: value for key, value in query.items() if key != "metrics"} for query in queries]
        limit = self._page_limit(
            request.integer("max_results"), QUERY_HISTORY_DEFAULT_LIMIT, QUERY_HISTORY_MAX_LIMIT
        )
        offset = position["offset"]
        page = queries[offset : offset + limit]
        has_next_page = offset + len(page) < len(queries)
        answer: dict[str, Any] = {"res": page, "has_next_page": has_next_page}
        if has_next_page:
            next_position = {**position, "offset": offset + len(page)}
            answer["next_page_token"] = _encode_query_history_token(next_position)
        return answer

    def _existing(self, table: str, key: str) -> list[dict[str, Any]]:
        rows = self._query(
            f"SELECT json FROM {table} WHERE created_time_ms <= ?"
            f" AND (deleted_time_ms IS NULL OR deleted_time_ms > ?) ORDER BY {key}",
            (self._now_ms(), self._now_ms()),
        )
        return [json.loads(row[0]) for row in rows]

    def _page_limit(self, requested: int | None, default: int, ceiling: int) -> int:
        """The client's limit within the API's ceiling, further constrained by this server's page size."""
        limit = default if not requested or requested <= 0 else min(requested, ceiling)
        return max(1, min(limit, self.page_size))


class _InjectedApiError(ApiError):
    def __init__(self, status: int, message: str, headers: dict[str, str]) -> None:
        super().__init__(status, message)
        self.headers = headers


def _token_page(items: list[dict], page_token: str | None, limit: int) -> tuple[list[dict], str | None]:
    offset = _decode_token(page_token) if page_token else 0
    page = items[offset : offset + limit]
    next_offset = offset + len(page)
    return page, _encode_token(next_offset) if next_offset < len(items) else None


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["offset"])
    except (ValueError, KeyError, TypeError) as error:
        raise ApiError(400, f"Invalid page token: {token}") from error


def _query_start_bound(request: ApiRequest, bound: str) -> int | None:
    """A bound of filter_by.query_start_time_range, sent as dotted query parameters (the SDK's way) or
    as a JSON body."""
    value = request.query.get(f"filter_by.query_start_time_range.{bound}")
    if value is None:
        value = ((request.body.get("filter_by") or {}).get("query_start_time_range") or {}).get(bound)
    return None if value in (None, "") else int(value)


def _encode_query_history_token(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def _decode_query_history_token(token: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(token.encode()))
        return {name: position[name] for name in ("offset", "start_time_ms", "end_time_ms")}
    except (ValueError, KeyError, TypeError) as error:
        raise ApiError(400, f"Invalid page token: {token}") from error


def _query_as_of(query: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """A query as the API lists it at `now_ms`: unchanged once ended, else running, without an end or
    final metrics."""
    if query["query_end_time_ms"] <= now_ms:
        return query
    ended_fields = (
        "query_end_time_ms", "execution_end_time_ms", "duration", "rows_produced", "error_message"
    )  # fmt: skip
    running = {key: value for key, value in query.items() if key not in ended_fields}
    elapsed_ms = now_ms - query["query_start_time_ms"]
    metrics = query.get("metrics") or {}
    running |= {
        "status": "RUNNING",
        "is_final": False,
        "metrics": {
            "compilation_time_ms": min(metrics.get("compilation_time_ms", 0), elapsed_ms),
            "total_time_ms": elapsed_ms,
            "result_from_cache": False,
            "query_compilation_start_timestamp": query["query_start_time_ms"],
        },
    }
    return running


def _listing(field: str, page: list[dict], next_token: str | None) -> dict[str, Any]:
    answer: dict[str, Any] = {field: page, "has_more": next_token is not None}
    if next_token:
        answer["next_page_token"] = next_token
    return answer


def _without_tasks(job: dict[str, Any]) -> dict[str, Any]:
    settings = {
        key: value for key, value in job.get("settings", {}).items() if key not in ("tasks", "job_clusters")
    }
    return {**job, "settings": settings}


def _handler_for(api: FakeDatabricksApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and the CLI report what matters themselves."""

        def _serve(self, method: str) -> None:
            url = urlparse(self.path)
            headers = {name.lower(): value for name, value in self.headers.items()}
            extra_headers: dict[str, str] = {}
            try:
                request = ApiRequest(_single_values(parse_qs(url.query)), self._body())
                status, payload, extra_headers = api.handle(method, url.path, headers, request)
            except ApiError as error:
                status, payload = error.status, {"error_code": error.error_code, "message": str(error)}
                extra_headers = getattr(error, "headers", {})
            api.requests_served.append((method, url.path, status))
            self._respond(status, payload, extra_headers)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            if not length:
                return {}
            try:
                body = json.loads(self.rfile.read(length))
            except json.JSONDecodeError as error:
                raise ApiError(400, f"Malformed JSON body: {error}", "MALFORMED_REQUEST") from error
            return body if isinstance(body, dict) else {}

        def _respond(self, status: int, payload: dict, extra_headers: dict[str, str]) -> None:
            content = json.dumps(payload).encode()
            self.send_response(status, HTTPStatus(status).phrase)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

    return Handler


def _single_values(query: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[-1] for name, values in query.items()}


# --- recorded real responses -------------------------------------------------------------------------


def load_recorded_responses(
    sqlite_path: Path,
    *,
    clusters_list: Path | None = None,
    cluster_details: Iterable[Path] = (),
    jobs_list: Path | None = None,
    instance_pools: Iterable[Path] = (),
    sql_warehouses_list: Path | None = None,
    cluster_policies: Iterable[Path] = (),
    job_runs: Iterable[Path] = (),
) -> None:
    """Stores recorded API answers (files as the API returned them) for the fake API to serve verbatim.

    `job_runs`: runs list answers (`{"runs": [...]}`) or single runs get answers; their items are served as
    they are, even ones a real workspace would not return (no run_id), so loaders can be tested on them.
    """
    store = ApiStore(Path(sqlite_path))
    clusters = _read(clusters_list).get("clusters", []) if clusters_list else []
    for cluster in [*clusters, *(_read(path) for path in cluster_details)]:
        store.add_cluster(cluster, int(cluster.get("start_time", 0)), None)
    for job in _read(jobs_list).get("jobs", []) if jobs_list else []:
        store.add_job({**job, "created_time": job.get("created_time", 0)}, None)
    for pool in (_read(path) for path in instance_pools):
        store.add_instance_pool(pool, 0, None)
    if sql_warehouses_list:
        listing = _read(sql_warehouses_list)
        for warehouse in listing.get("warehouses", listing.get("endpoints", [])):
            store.add_sql_warehouse(warehouse, 0, None)
    for policy in (_read(path) for path in cluster_policies):
        store.add_cluster_policy(policy)
    for answer in (_read(path) for path in job_runs):
        for run in answer.get("runs", [answer]):
            store.add_recorded_job_run(run)
    store.close()


def _read(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --- command line ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a sample workspace's REST API locally.")
    parser.add_argument("--sample-dir", type=Path, required=True)
    parser.add_argument("--organization-id", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--as-of-ms", type=int, default=None)
    arguments = parser.parse_args(argv)
    sqlite_path = arguments.sample_dir / "api" / f"{arguments.organization_id}.sqlite"
    api = FakeDatabricksApi(
        sqlite_path,
        token=arguments.token,
        page_size=arguments.page_size,
        as_of_ms=arguments.as_of_ms,
        port=arguments.port,
    )
    api.start()
    print(api.host, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        api.stop()


if __name__ == "__main__":
    main()
