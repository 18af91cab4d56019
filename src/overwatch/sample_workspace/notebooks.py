"""Notebooks: created, attached to clusters, run (verbose audit `runCommand`), renamed and deleted."""

from __future__ import annotations

import random
from typing import Any

from overwatch.sample_workspace.audit_log import AuditLogWriter, deterministic_uuid
from overwatch.sample_workspace.identifiers import numeric_id
from overwatch.sample_workspace.workspace_objects import User

COMMANDS = (
    ("python", "df = spark.read.table('main.sales.orders')\ndisplay(df.groupBy('region').count())"),
    ("sql", "SELECT customer_id, sum(amount) FROM main.sales.orders GROUP BY customer_id"),
    ("python", "model = train(features, labels)\nmlflow.log_metric('rmse', evaluate(model))"),
    ("scala", 'spark.table("main.sales.orders").write.mode("overwrite").saveAsTable("main.sales.daily")'),
)
NOTEBOOK_NAMES = ("exploration", "daily-report", "feature-engineering", "model-training")


class NotebookActivity:
    def __init__(self, audit: AuditLogWriter, generator: random.Random) -> None:
        self.audit = audit
        self.random = generator
        self._notebooks_by_owner: dict[str, list[dict[str, Any]]] = {}
        self.created_count = 0

    def notebook_of(self, owner: User) -> dict[str, Any]:
        """The owner's working notebook, made (without an audit event: it predates the logs) on first use."""
        notebooks = self._notebooks_by_owner.setdefault(owner.email, [])
        if not notebooks:
            notebooks.append(self._new_notebook(owner))
        return notebooks[-1]

    def create(self, at_ms: int, owner: User) -> dict[str, Any]:
        notebook = self._new_notebook(owner)
        self._notebooks_by_owner.setdefault(owner.email, []).append(notebook)
        self.created_count += 1
        params = {"notebookId": notebook["id"], "path": notebook["path"], "language": "PYTHON"}
        self.audit.emit(at_ms, "notebook", "createNotebook", owner.email, params)
        return notebook

    def rename(self, at_ms: int, owner: User, notebook: dict[str, Any], new_name: str) -> None:
        parent, old_name = notebook["path"].rsplit("/", 1)
        params = {
            "notebookId": notebook["id"],
            "newName": new_name,
            "oldName": old_name,
            "parentPath": parent,
        }
        self.audit.emit(at_ms, "notebook", "renameNotebook", owner.email, params)
        notebook["path"] = f"{parent}/{new_name}"

    def move(self, at_ms: int, owner: User, notebook: dict[str, Any], new_parent: str) -> None:
        new_path = f"{new_parent}/{notebook['path'].rsplit('/', 1)[1]}"
        params = {"notebookId": notebook["id"], "oldPath": notebook["path"], "newPath": new_path}
        self.audit.emit(at_ms, "notebook", "moveNotebook", owner.email, params)
        notebook["path"] = new_path

    def delete(self, at_ms: int, owner: User, notebook: dict[str, Any]) -> None:
        name = notebook["path"].rsplit("/", 1)[1]
        params = {"notebookId": notebook["id"], "notebookName": name, "path": notebook["path"]}
        self.audit.emit(at_ms, "notebook", "deleteNotebook", owner.email, params)
        notebooks = self._notebooks_by_owner[owner.email]
        notebooks.remove(notebook)

    def attach(self, at_ms: int, owner: User, cluster_id: str) -> dict[str, Any]:
        notebook = self.notebook_of(owner)
        params = {"notebookId": notebook["id"], "clusterId": cluster_id, "path": notebook["path"]}
        self.audit.emit(at_ms, "notebook", "attachNotebook", owner.email, params)
        return notebook

    def run_command(self, at_ms: int, owner: User, cluster_id: str, notebook: dict[str, Any]) -> None:
        language, text = COMMANDS[self.random.randrange(len(COMMANDS))]
        params = {
            "notebookId": notebook["id"],
            "executionTime": f"{self.random.uniform(0.2, 240):.3f}",
            "status": "finished",
            "commandId": deterministic_uuid(self.random).replace("-", ""),
            "commandText": text,
            "commandLanguage": language,
            "clusterId": cluster_id,
        }
        self.audit.emit(at_ms, "notebook", "runCommand", owner.email, params)

    def _new_notebook(self, owner: User) -> dict[str, Any]:
        name = NOTEBOOK_NAMES[self.random.randrange(len(NOTEBOOK_NAMES))]
        return {"id": str(numeric_id(self.random, 16)), "path": f"/Users/{owner.email}/{name}"}
