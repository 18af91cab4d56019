"""The generated dbt docs site, opened in headless Chromium as an analyst would use it.

The site is generated without a warehouse (`dbt docs generate --no-compile --empty-catalog`): models,
their descriptions and documented columns come from the manifest, so nothing needs building. Column
types come from the catalog, which only a build fills (`make demo`), so they are not checked here.
The site loads manifest.json and catalog.json by XHR, so it is served over http on loopback.

Chromium is driven through the DevTools protocol (tests/chromium.py).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from chromium import DevToolsPipe, chromium_page
from overwatch.dbt_runner import run_dbt

PROJECT_DIR = Path(__file__).resolve().parents[1]
MODEL_ID = "model.overwatch.cluster_state_fact_presentation"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def docs_site(parsed_project: Path) -> Iterator[str]:
    run_dbt(["docs", "generate", "--no-compile", "--empty-catalog", "--target-path", str(parsed_project)])
    handler = functools.partial(QuietHandler, directory=str(parsed_project))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevToolsPipe]:
    with chromium_page(tmp_path / "chromium-profile") as page:
        yield page


def _documented_columns() -> list[str]:
    properties = yaml.safe_load(
        (PROJECT_DIR / "models/presentation/compute/cluster_state_fact_presentation.yml").read_text()
    )
    return [column["name"] for column in properties["models"][0]["columns"]]


def test_an_analyst_finds_cluster_state_fact_and_its_columns(docs_site: str, browser: DevToolsPipe):
    browser.open(f"{docs_site}#!/overview")
    browser.wait_for("document.getElementById('search') !== null", "its search box")
    assert browser.wait_for(
        "Array.from(document.images)"
        ".filter(i => i.src.endsWith('/assets/gold_erd.svg') && i.naturalWidth > 0).length",
        "the gold ERD on the overview page",
    )
    overview = browser.wait_for(
        "document.body.innerText.includes('Data engineering guide') && document.body.innerText",
        "the data engineering guide on the overview page",
    )
    guide_sections = [
        "How the layers are promoted, and why analysts read presentation views",
        "Common terms",
        "Databricks job vs Spark job",
        "The Spark hierarchy and how it links to Databricks",
        "Example queries, one per presentation view",
    ]
    assert [section for section in guide_sections if section not in overview] == []

    browser.evaluate(
        "(() => { const box = document.getElementById('search'); box.focus(); box.value = 'clusterStateFact';"
        " box.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )
    result = f".search-result[href='#!/model/{MODEL_ID}']"
    browser.wait_for(f'document.querySelector("{result}") !== null', "clusterStateFact among search results")
    browser.evaluate(f'document.querySelector("{result}").click()')

    browser.wait_for(f"location.hash.endsWith('{MODEL_ID}')", "the model page")
    columns = _documented_columns()
    page_text = browser.wait_for(
        f"document.body.innerText.includes({json.dumps(columns[0])}) && document.body.innerText",
        "the model's columns",
    )
    assert "clusterStateFact" in page_text
    missing = [column for column in columns if column not in page_text]
    assert missing == []
