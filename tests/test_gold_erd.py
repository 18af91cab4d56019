"""The gold ERD on the docs site is generated from the gold models' yml and kept in step with it."""

from __future__ import annotations

import re
from pathlib import Path

from overwatch.gold_erd import ERD_PATH, gold_erd_svg, read_gold_entities, read_relationships

PROJECT_DIR = Path(__file__).resolve().parents[1]


def test_the_committed_erd_is_what_the_gold_yml_produces():
    committed = (PROJECT_DIR / ERD_PATH).read_text()
    assert committed == gold_erd_svg(PROJECT_DIR), (
        "assets/gold_erd.svg is stale: run `python -m overwatch.gold_erd` (make docs-erd) and commit it"
    )


def test_every_gold_model_is_drawn_under_its_presentation_name():
    svg = gold_erd_svg(PROJECT_DIR)
    entities = read_gold_entities(PROJECT_DIR)
    assert set(re.findall(r'class="entity" data-model="(\w+)"', svg)) == {entity.name for entity in entities}
    for entity in entities:
        assert f">{entity.presentation_name or entity.name}</text>" in svg


def test_relationships_follow_overwatch_keys():
    relationships = {
        (relationship.parent, relationship.child): relationship.columns
        for relationship in read_relationships(read_gold_entities(PROJECT_DIR))
    }
    assert relationships[("cluster", "cluster_state_fact")] == ("cluster_id",)
    assert relationships[("job", "job_run")] == ("job_id",)
    assert relationships[("cluster_state_fact", "cluster_cost_daily")] == (
        "cluster_id",
        "unixTimeMS_state_start",
    )
    # Implied through cluster_state_fact on the same column: not drawn twice.
    assert ("cluster", "cluster_cost_daily") not in relationships


def test_the_spark_hierarchy_and_its_links_to_databricks_are_drawn():
    """Spark application -> SQL execution -> Spark job -> stage -> task, executors beside the tasks, and each
    Spark job linked to its Databricks job, task run and notebook."""
    relationships = {
        (relationship.parent, relationship.child): relationship.columns
        for relationship in read_relationships(read_gold_entities(PROJECT_DIR))
    }
    context = ("cluster_id", "spark_context_id")
    assert set(relationships[("spark_application", "spark_execution")]) == set(context)
    assert set(relationships[("spark_application", "spark_executor")]) == set(context)
    assert set(relationships[("spark_execution", "spark_job")]) == {*context, "execution_id"}
    assert relationships[("spark_job", "spark_stage")] == ("stage_ids",)
    assert set(relationships[("spark_stage", "spark_task")]) == {*context, "stage_id", "stage_attempt_id"}
    assert set(relationships[("spark_executor", "spark_task")]) == {*context, "executor_id"}
    assert relationships[("job_run", "spark_job")] == ("db_run_id",)
    assert relationships[("job", "spark_job")] == ("db_job_id",)
    assert relationships[("notebook", "spark_job")] == ("notebook_id",)
    assert relationships[("cluster", "spark_application")] == ("cluster_id",)
    # Tasks hang off their stage, not off the cluster or the application directly.
    assert ("spark_application", "spark_task") not in relationships
    assert ("cluster", "spark_task") not in relationships
