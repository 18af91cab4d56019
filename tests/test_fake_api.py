"""The fake REST API, driven through the real databricks-sdk as the loaders drive a workspace."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import InternalError, NotFound, PermissionDenied, ResourceDoesNotExist
from databricks.sdk.service.compute import GetEventsOrder

from overwatch.fake_api import FakeDatabricksApi, load_recorded_responses
from overwatch.sample_workspace import generate_sample_workspace

SHARED_API_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "api"


@pytest.fixture(scope="module")
def sqlite_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("sample")
    manifest = generate_sample_workspace(output, days=2, workspace_count=1, size="small", seed=11)
    return output / "api" / f"{manifest.workspaces[0].organization_id}.sqlite"


@pytest.fixture
def api(sqlite_path: Path) -> Iterator[FakeDatabricksApi]:
    with FakeDatabricksApi(sqlite_path, page_size=2) as server:
        yield server


@pytest.fixture
def client(api: FakeDatabricksApi) -> WorkspaceClient:
    return WorkspaceClient(host=api.host, token=api.token)


def _rows(sqlite_path: Path, sql: str, parameters: tuple = ()) -> list[tuple]:
    with sqlite3.connect(sqlite_path) as connection:
        return connection.execute(sql, parameters).fetchall()


def _served(api: FakeDatabricksApi, path: str) -> list[int]:
    return [status for _, served_path, status in api.requests_served if served_path == path]


def test_clusters_list_pages_through_every_existing_cluster(
    api: FakeDatabricksApi, client: WorkspaceClient, sqlite_path: Path
) -> None:
    expected = {
        row[0] for row in _rows(sqlite_path, "SELECT cluster_id FROM clusters WHERE deleted_time_ms IS NULL")
    }
    listed = [cluster.cluster_id for cluster in client.clusters.list(page_size=100)]
    assert sorted(listed) == sorted(expected) and len(listed) > 10
    assert len(_served(api, "/api/2.1/clusters/list")) == (len(expected) + 1) // 2


def test_clusters_get_answers_details_and_rejects_unknown_clusters(
    client: WorkspaceClient, sqlite_path: Path
) -> None:
    cluster_id, text = _rows(sqlite_path, "SELECT cluster_id, json FROM clusters LIMIT 1")[0]
    details = client.clusters.get(cluster_id)
    assert details.as_dict()["cluster_name"] == json.loads(text)["cluster_name"]
    with pytest.raises(ResourceDoesNotExist):
        client.clusters.get("0101-000000-missing0")


def test_cluster_events_page_through_all_events_in_order(
    api: FakeDatabricksApi, client: WorkspaceClient, sqlite_path: Path
) -> None:
    cluster_id, count = _rows(
        sqlite_path,
        "SELECT cluster_id, count(*) FROM cluster_events GROUP BY cluster_id ORDER BY 2 DESC LIMIT 1",
    )[0]
    stored = [json.loads(row[0]) for row in _rows(
        sqlite_path, "SELECT json FROM cluster_events WHERE cluster_id = ? ORDER BY sequence", (cluster_id,)
    )]  # fmt: skip
    events = list(client.clusters.events(cluster_id, order=GetEventsOrder.ASC, limit=500))
    assert [event.as_dict() for event in events] == stored
    assert len(_served(api, "/api/2.1/clusters/events")) == (count + 1) // 2
    newest_first = list(client.clusters.events(cluster_id, start_time=stored[2]["timestamp"]))
    assert [event.timestamp for event in newest_first] == [
        event["timestamp"] for event in reversed(stored[2:])
    ]


def test_jobs_list_includes_tasks_and_runs_list_filters_by_start(
    client: WorkspaceClient, sqlite_path: Path
) -> None:
    jobs = list(client.jobs.list(expand_tasks=True, limit=100))
    assert (
        len(jobs) == _rows(sqlite_path, "SELECT count(*) FROM jobs WHERE deleted_time_ms IS NULL")[0][0] >= 2
    )
    # Every task names its compute: a job cluster, an existing all-purpose cluster (the planted
    # scheduled job on a shared cluster) or a serverless environment (the serverless job).
    assert all(job.settings.tasks for job in jobs)
    assert all(
        task.job_cluster_key or task.existing_cluster_id or task.environment_key
        for job in jobs
        for task in job.settings.tasks
    )
    assert any(task.environment_key for job in jobs for task in job.settings.tasks)
    assert any(task.existing_cluster_id for job in jobs for task in job.settings.tasks)
    assert not any(job.settings.tasks for job in client.jobs.list())
    runs = list(client.jobs.list_runs(expand_tasks=True))
    assert len(runs) == _rows(sqlite_path, "SELECT count(*) FROM job_runs")[0][0]
    assert [run.start_time for run in runs] == sorted((run.start_time for run in runs), reverse=True)
    assert all(task.task_key for run in runs for task in run.tasks)
    middle = runs[len(runs) // 2].start_time
    assert all(run.start_time >= middle for run in client.jobs.list_runs(start_time_from=middle))


def test_shared_objects_are_listed(client: WorkspaceClient, sqlite_path: Path) -> None:
    assert (
        len(list(client.instance_pools.list()))
        == _rows(sqlite_path, "SELECT count(*) FROM instance_pools WHERE deleted_time_ms IS NULL")[0][0]
    )
    # Every warehouse the store has not deleted (the planted scaled-up one too) is listed, stopped.
    warehouses = list(client.warehouses.list())
    assert (
        len(warehouses)
        == _rows(sqlite_path, "SELECT count(*) FROM sql_warehouses WHERE deleted_time_ms IS NULL")[0][0]
        >= 2
    )
    assert {warehouse.state.value for warehouse in warehouses} == {"STOPPED"}
    assert len(list(client.cluster_policies.list())) == 2
    assert all(
        profile.instance_profile_arn.startswith("arn:aws:iam::")
        for profile in client.instance_profiles.list()
    )


@pytest.mark.parametrize(("status", "retry_after"), [(429, 1), (503, 0)])
def test_throttling_and_unavailability_are_retried_by_the_sdk(
    api: FakeDatabricksApi, client: WorkspaceClient, status: int, retry_after: int
) -> None:
    expected = len(list(client.clusters.list()))
    api.inject_failures("/api/2.1/clusters/list", status, 2, retry_after_seconds=retry_after)
    assert len(list(client.clusters.list())) == expected
    assert _served(api, "/api/2.1/clusters/list").count(status) == 2


def test_a_server_error_reaches_the_caller(api: FakeDatabricksApi, client: WorkspaceClient) -> None:
    api.inject_failures("/api/2.2/jobs/list", 500, 1)
    with pytest.raises(InternalError):
        list(client.jobs.list())
    assert list(client.jobs.list())


def test_wrong_or_missing_token_is_rejected(api: FakeDatabricksApi) -> None:
    with pytest.raises(PermissionDenied):
        list(WorkspaceClient(host=api.host, token="dapi-wrong").clusters.list())
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{api.host}/api/2.1/clusters/list")
    assert answer.value.code == 401
    assert json.loads(answer.value.read())["error_code"] == "UNAUTHENTICATED"


def test_unknown_paths_answer_not_found(client: WorkspaceClient) -> None:
    with pytest.raises(NotFound):
        client.api_client.do("GET", "/api/2.0/no-such-endpoint")


def test_as_of_hides_what_did_not_exist_yet(sqlite_path: Path) -> None:
    (start_ms,) = _rows(sqlite_path, "SELECT CAST(value AS INTEGER) FROM metadata WHERE key = 'start_ms'")[0]
    as_of = start_ms + 12 * 3_600_000
    with FakeDatabricksApi(sqlite_path, page_size=50, as_of_ms=as_of) as server:
        client = WorkspaceClient(host=server.host, token=server.token)
        clusters = list(client.clusters.list())
        assert clusters and all(cluster.start_time <= as_of for cluster in clusters)
        events = list(client.clusters.events(clusters[0].cluster_id))
        assert all(event.timestamp <= as_of for event in events)


def test_recorded_real_responses_parse_through_the_sdk(tmp_path: Path) -> None:
    recorded = SHARED_API_SAMPLES / "terraform_provider_databricks"
    database = tmp_path / "recorded.sqlite"
    load_recorded_responses(
        database,
        clusters_list=recorded / "clusters-list-response.json",
        cluster_details=[
            recorded / "get-cluster-awscluster-response.json",
            SHARED_API_SAMPLES / "spark_rapids_tools" / "clusters_get_aws-cpu-00.json",
        ],
        jobs_list=recorded / "get-jobs-list.json",
        instance_pools=[recorded / "get-instance-pool1.json"],
        sql_warehouses_list=recorded / "get-sql-endpoints.json",
        cluster_policies=[recorded / "get-cluster-policy.json"],
    )
    with FakeDatabricksApi(database, page_size=2) as server:
        client = WorkspaceClient(host=server.host, token=server.token)
        listed = {cluster.cluster_id for cluster in client.clusters.list()}
        assert {"test1", "test2", "0221-171858-ss76mx7n"} <= listed
        details = client.clusters.get("0221-171858-ss76mx7n")
        assert (details.node_type_id, details.num_workers, details.state.value) == (
            "m6gd.2xlarge",
            4,
            "RUNNING",
        )
        assert {job.job_id for job in client.jobs.list()} >= {14, 12}
        assert [pool.instance_pool_id for pool in client.instance_pools.list()] == ["pool1"]
        assert [warehouse.id for warehouse in client.warehouses.list()] == ["f562046bc1272886"]
        assert [policy.name for policy in client.cluster_policies.list()] == ["users cluster policy"]
