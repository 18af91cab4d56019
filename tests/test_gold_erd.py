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
