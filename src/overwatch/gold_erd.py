"""The entity-relationship diagram of the gold layer, drawn as SVG from the gold models' .yml files.

The docs site renders markdown but not mermaid, so the overview page shows this SVG (served through
dbt's asset-paths). It is generated, never drawn by hand, so it cannot drift from the models: a test
compares the committed file with what this module produces. Regenerate with
`python -m overwatch.gold_erd` after adding or changing a gold model.

Relationships are read from the models themselves:
- a model whose columns hold another model's whole unique key refers to it, many to one
  (cluster_cost_daily's key holds cluster_state_fact's organization_id, cluster_id,
  unixTimeMS_state_start: a state is split into days; a Spark task's columns hold its stage's key);
- a column `<entity>_id` refers to the gold model named `<entity>` (cluster_id to cluster);
- the few references whose column names another model's key by another name (NAMED_REFERENCES: a
  Spark job's stage_ids, its Databricks job and task run).
A reference already implied through another model on the same columns is left out, and so are the
few `<entity>_id` columns that name something else (NOT_REFERENCES).
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import yaml

from overwatch.lakehouse import project_dir

SHARED_KEY = "organization_id"
ERD_PATH = Path("assets") / "gold_erd.svg"
PRESENTATION_CALL = re.compile(r"presentation_view\(\s*['\"](\w+)['\"]\s*\)")

BOX_WIDTH = 300
HEADER_HEIGHT = 40
ROW_HEIGHT = 18
COLUMN_GAP = 60
LEVEL_GAP = 110
MARGIN = 40
BOXES_PER_ROW = 4
TYPE_CHARACTERS = 22
# (model, column): an `<entity>_id` column that is not the id of the gold model `<entity>`.
NOT_REFERENCES = {
    ("spark_job", "job_id"),  # Spark's job number within its Spark context, not a Databricks job
    # Each names the model's own audit event: logins and account changes are different events.
    ("account_login", "audit_event_id"),
    ("account_mod", "audit_event_id"),
}
# (parent, child): the child's columns that refer to the parent under another name.
NAMED_REFERENCES = {
    ("spark_job", "spark_stage"): ("stage_ids",),  # a Spark job runs the stages it lists
    ("job_run", "spark_job"): ("db_run_id",),  # the Databricks task run the Spark job ran for
    ("job", "spark_job"): ("db_job_id",),
}


@dataclass(frozen=True)
class GoldEntity:
    name: str
    presentation_name: str | None
    latest_version: int
    columns: dict[str, str]
    unique_key: tuple[str, ...]


@dataclass(frozen=True)
class Relationship:
    parent: str
    child: str
    columns: tuple[str, ...]


def _unique_key(model: dict) -> tuple[str, ...]:
    for test in model.get("data_tests") or model.get("tests") or []:
        if isinstance(test, dict) and "unique_combination_of_columns" in test:
            arguments = test["unique_combination_of_columns"]
            arguments = arguments.get("arguments", arguments)
            return tuple(arguments["combination_of_columns"])
    for column in model.get("columns", []):
        if "unique" in (column.get("data_tests") or column.get("tests") or []):
            return (column["name"],)
    return ()


def _presentation_names(project: Path) -> dict[str, str]:
    """Gold model name to the alias of the presentation view that reads it (Overwatch's table name)."""
    aliases: dict[str, str] = {}
    for properties_path in sorted((project / "models" / "presentation").glob("*/*.yml")):
        for model in (yaml.safe_load(properties_path.read_text()) or {}).get("models", []):
            sql_path = properties_path.with_name(f"{model['name']}.sql")
            alias = (model.get("config") or {}).get("alias")
            match = PRESENTATION_CALL.search(sql_path.read_text()) if sql_path.exists() else None
            if match and alias:
                aliases[match.group(1)] = alias
    return aliases


def read_gold_entities(project: Path) -> list[GoldEntity]:
    presentation_names = _presentation_names(project)
    entities = []
    for properties_path in sorted((project / "models" / "gold").glob("*/*.yml")):
        for model in (yaml.safe_load(properties_path.read_text()) or {}).get("models", []):
            versions = [version["v"] for version in model.get("versions", [])]
            entities.append(
                GoldEntity(
                    name=model["name"],
                    presentation_name=presentation_names.get(model["name"]),
                    latest_version=model.get("latest_version") or max(versions, default=1),
                    columns={
                        column["name"]: str(column.get("data_type", ""))
                        for column in model.get("columns", [])
                    },
                    unique_key=_unique_key(model),
                )
            )
    return sorted(entities, key=lambda entity: entity.name)


def _candidate_relationships(entities: list[GoldEntity]) -> dict[tuple[str, str], tuple[str, ...]]:
    by_name = {entity.name: entity for entity in entities}
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for parent in entities:
        own_key = tuple(column for column in parent.unique_key if column != SHARED_KEY)
        if not own_key:
            continue
        for child in entities:
            if (
                child.name != parent.name
                and set(parent.unique_key) <= set(child.columns)
                and not any((child.name, column) in NOT_REFERENCES for column in own_key)
            ):
                found[(parent.name, child.name)] = own_key
    for child in entities:
        for column in child.columns:
            parent_name = column.removesuffix("_id")
            if (
                column.endswith("_id")
                and parent_name in by_name
                and parent_name != child.name
                and (child.name, column) not in NOT_REFERENCES
            ):
                found.setdefault((parent_name, child.name), (column,))
    by_name_pairs = {(parent, child) for parent, child in NAMED_REFERENCES if {parent, child} <= set(by_name)}
    found.update({pair: NAMED_REFERENCES[pair] for pair in by_name_pairs})
    # Two models sharing one key (one row each per run, say): the shorter name is the entity.
    for parent_name, child_name in list(found):
        if (child_name, parent_name) in found and (len(parent_name), parent_name) < (
            len(child_name),
            child_name,
        ):
            del found[(child_name, parent_name)]
    return found


def read_relationships(entities: list[GoldEntity]) -> list[Relationship]:
    found = _candidate_relationships(entities)
    implied = set()
    for (parent, child), columns in found.items():
        for (middle, grandchild), middle_columns in found.items():
            if (
                grandchild == child
                and middle != parent
                and (parent, middle) in found
                and set(columns) <= set(middle_columns)
            ):
                implied.add((parent, child))
    return [
        Relationship(parent, child, columns)
        for (parent, child), columns in sorted(found.items())
        if (parent, child) not in implied
    ]


def _levels(entities: list[GoldEntity], relationships: list[Relationship]) -> dict[str, int]:
    """Each entity one level below the lowest entity it refers to (longest path from an entity)."""
    level = {entity.name: 0 for entity in entities}
    for _ in entities:  # at most one pass per entity; a cycle stops growing there
        changed = False
        for relationship in relationships:
            if level[relationship.child] <= level[relationship.parent] < len(entities):
                level[relationship.child] = level[relationship.parent] + 1
                changed = True
        if not changed:
            break
    return level


def _rows_shown(entity: GoldEntity, relationships: list[Relationship]) -> list[tuple[str, str, str]]:
    """(marker, column, type): the unique key, then the columns it joins on, then a count of the rest."""
    joined = {
        column
        for relationship in relationships
        if entity.name in (relationship.parent, relationship.child)
        for column in (SHARED_KEY, *relationship.columns)
    }
    rows = [("PK", column, entity.columns.get(column, "")) for column in entity.unique_key]
    rows += [
        ("FK", column, data_type)
        for column, data_type in entity.columns.items()
        if column in joined and column not in entity.unique_key
    ]
    hidden = len(entity.columns) - len(rows)
    if hidden > 0:
        rows.append(("", f"+ {hidden} more columns", ""))
    return rows


def _short_type(data_type: str) -> str:
    return data_type if len(data_type) <= TYPE_CHARACTERS else data_type[: TYPE_CHARACTERS - 1] + "…"


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[int, int]]
    heights: dict[str, int]
    row_of: dict[str, int]
    row_tops: list[int]
    row_bottoms: list[int]
    width: int
    height: int


def _layout(entities: list[GoldEntity], relationships: list[Relationship], heights: dict[str, int]) -> Layout:
    """Levels top to bottom; within a level, entities sit under the mean column of what they refer to."""
    levels = _levels(entities, relationships)
    parents = {
        entity.name: [r.parent for r in relationships if r.child == entity.name] for entity in entities
    }
    column_of: dict[str, float] = {}
    positions: dict[str, tuple[int, int]] = {}
    row_of: dict[str, int] = {}
    row_tops: list[int] = []
    row_bottoms: list[int] = []
    y = MARGIN + 20
    widest = 1
    for level in sorted(set(levels.values())):
        names = [entity.name for entity in entities if levels[entity.name] == level]
        names.sort(
            key=lambda name: (
                sum(column_of[parent] for parent in parents[name]) / len(parents[name])
                if parents[name]
                else -1.0,
                name,
            )
        )
        for start in range(0, len(names), BOXES_PER_ROW):
            row = names[start : start + BOXES_PER_ROW]
            for index, name in enumerate(row):
                positions[name] = (MARGIN + index * (BOX_WIDTH + COLUMN_GAP), y)
                column_of[name] = index
                row_of[name] = len(row_tops)
            widest = max(widest, len(row))
            row_tops.append(y)
            row_bottoms.append(y + max(heights[name] for name in row))
            y = row_bottoms[-1] + LEVEL_GAP
    width = 2 * MARGIN + widest * BOX_WIDTH + (widest - 1) * COLUMN_GAP
    return Layout(positions, heights, row_of, row_tops, row_bottoms, width, y - LEVEL_GAP + MARGIN)


def render_svg(entities: list[GoldEntity], relationships: list[Relationship]) -> str:
    rows_by_entity = {entity.name: _rows_shown(entity, relationships) for entity in entities}
    heights = {name: HEADER_HEIGHT + ROW_HEIGHT * len(rows) + 8 for name, rows in rows_by_entity.items()}
    layout = _layout(entities, relationships, heights)
    width, height = layout.width, layout.height
    paths, labels = _routes(relationships, layout)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        '<defs><marker id="many" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="12" '
        'markerHeight="12" orient="auto"><path d="M0,6 L12,0 M0,6 L12,6 M0,6 L12,12" stroke="#555" '
        'fill="none"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{MARGIN}" y="{MARGIN}" font-size="13" fill="#333">Gold layer (latest versions). '
        f"Every relationship also joins on {SHARED_KEY}; labels name the other columns; the forked end "
        "is the many side. PK: unique key, FK: joined column.</text>",
        *paths,
        *(
            _box_svg(entity, rows_by_entity[entity.name], layout.positions[entity.name])
            for entity in entities
        ),
        *labels,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _ports(edges: list[Relationship], box_x: int) -> dict[Relationship, int]:
    """Spread the edges leaving (or entering) one side of a box along it."""
    return {edge: box_x + BOX_WIDTH * (index + 1) // (len(edges) + 1) for index, edge in enumerate(edges)}


def _routes(relationships: list[Relationship], layout: Layout) -> tuple[list[str], list[str]]:
    """Orthogonal paths: down into the gap under the parent's row, along it, down a lane between
    columns when rows lie in between, along the gap over the child's row, down into the child."""
    x_of = {name: position[0] for name, position in layout.positions.items()}
    out_ports: dict[Relationship, int] = {}
    in_ports: dict[Relationship, int] = {}
    # Labels sit over the child, stacked so that one further left (reaching right) sits higher.
    label_level: dict[Relationship, int] = {}
    for name, (box_x, _) in layout.positions.items():
        leaving = sorted(
            (r for r in relationships if r.parent == name), key=lambda r: (x_of[r.child], r.child)
        )
        entering = sorted(
            (r for r in relationships if r.child == name), key=lambda r: (x_of[r.parent], r.parent)
        )
        out_ports.update(_ports(leaving, box_x))
        in_ports.update(_ports(entering, box_x))
        label_level.update({edge: len(entering) - 1 - index for index, edge in enumerate(entering)})
    tracks_used: dict[int, int] = {}
    lanes_used: dict[int, int] = {}

    def track(gap_below_row: int) -> int:
        tracks_used[gap_below_row] = tracks_used.get(gap_below_row, 0) + 1
        return layout.row_bottoms[gap_below_row] + 8 + 7 * tracks_used[gap_below_row]

    paths, labels = [], []
    for edge in sorted(relationships, key=lambda r: (layout.row_of[r.parent], x_of[r.parent], x_of[r.child])):
        parent_row, child_row = layout.row_of[edge.parent], layout.row_of[edge.child]
        start_x = out_ports[edge]
        end_x = in_ports[edge]
        parent_y = layout.positions[edge.parent][1]
        child_x, child_y = layout.positions[edge.child]
        points = [(start_x, parent_y + layout.heights[edge.parent]), (start_x, track(parent_row))]
        if child_row > parent_row + 1:
            lane_key = child_x
            lanes_used[lane_key] = lanes_used.get(lane_key, 0) + 1
            lane_x = child_x - COLUMN_GAP // 2 + 6 * lanes_used[lane_key] - 9
            above_child = child_y - 44 - 6 * lanes_used[lane_key]
            points += [(lane_x, points[-1][1]), (lane_x, above_child), (end_x, above_child)]
        else:
            points.append((end_x, points[-1][1]))
        points.append((end_x, child_y))
        path = " ".join(f"{'M' if index == 0 else 'L'}{x},{y}" for index, (x, y) in enumerate(points))
        paths.append(
            f'<path class="relationship" data-parent="{edge.parent}" data-child="{edge.child}" d="{path}" '
            'stroke="#555" fill="none" marker-end="url(#many)"/>'
        )
        labels.append(
            f'<text x="{end_x + 4}" y="{child_y - 6 - 13 * label_level[edge]}" fill="#333" stroke="white" '
            f'stroke-width="4" paint-order="stroke">{escape(", ".join(edge.columns))}</text>'
        )
    return paths, labels


def _box_svg(entity: GoldEntity, rows: list[tuple[str, str, str]], position: tuple[int, int]) -> str:
    x, y = position
    title = entity.presentation_name or entity.name
    subtitle = f"gold {entity.name} v{entity.latest_version}"
    if not entity.presentation_name:
        subtitle += " (no presentation view)"
    height = HEADER_HEIGHT + ROW_HEIGHT * len(rows) + 8
    parts = [
        f'<g class="entity" data-model="{entity.name}">',
        f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{height}" rx="4" fill="#f7f9fc" '
        'stroke="#1f4e79"/>',
        f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{HEADER_HEIGHT}" rx="4" fill="#1f4e79"/>',
        f'<text x="{x + 10}" y="{y + 17}" fill="white" font-size="14" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<text x="{x + 10}" y="{y + 33}" fill="#dbe6f2" font-size="11">{escape(subtitle)}</text>',
    ]
    for index, (marker, column, data_type) in enumerate(rows):
        row_y = y + HEADER_HEIGHT + 14 + index * ROW_HEIGHT
        colour = "#666" if not marker else "#111"
        parts.append(f'<text x="{x + 8}" y="{row_y}" fill="#1f4e79" font-size="10">{marker}</text>')
        parts.append(f'<text x="{x + 32}" y="{row_y}" fill="{colour}">{escape(column)}</text>')
        parts.append(
            f'<text x="{x + BOX_WIDTH - 8}" y="{row_y}" fill="#777" text-anchor="end" font-size="11">'
            f"{escape(_short_type(data_type))}</text>"
        )
    parts.append("</g>")
    return "\n".join(parts)


def gold_erd_svg(project: Path) -> str:
    entities = read_gold_entities(project)
    return render_svg(entities, read_relationships(entities))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Write the gold layer's ERD (SVG) from the gold models' yml."
    )
    parser.add_argument("--project-dir", type=Path, default=None, help="dbt project (default: this one)")
    arguments = parser.parse_args(argv)
    project = arguments.project_dir or project_dir()
    output = project / ERD_PATH
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(gold_erd_svg(project))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
