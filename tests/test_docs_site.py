"""The generated dbt docs site, opened in headless Chromium as an analyst would use it.

The site is generated without a warehouse (`dbt docs generate --no-compile --empty-catalog`): models,
their descriptions and documented columns come from the manifest, so nothing needs building. Column
types come from the catalog, which only a build fills (`make demo`), so they are not checked here.
The site loads manifest.json and catalog.json by XHR, so it is served over http on loopback.

Chromium (Debian's package, installed by `make setup`) is driven through the DevTools protocol over
`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file descriptors 3 and 4, so the
test needs no browser-automation package.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from overwatch.dbt_runner import run_dbt

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("OVERWATCH_CHROMIUM", "/usr/bin/chromium")
# Flags for a closed network: without the background-networking ones Chromium keeps trying Google's hosts.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
MODEL_ID = "model.overwatch.cluster_state_fact_presentation"
WAIT_SECONDS = 20


class DevToolsPipe:
    """One Chromium page, driven by DevTools protocol messages over the debugging pipe."""

    def __init__(self, user_data_dir: Path):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        self._process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=functools.partial(_as_fds_3_and_4, commands_read, replies_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._last_id = 0
        self._session: str | None = None

    def send(self, method: str, params: dict | None = None) -> dict:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if self._session:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._replies, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._last_id:  # events and other replies are not needed here
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if value := self.evaluate(expression):
                return value
            time.sleep(0.2)
        raise AssertionError(f"the docs site never showed {what}")

    def close(self) -> None:
        self._process.kill()
        self._process.wait()
        os.close(self._commands)
        os.close(self._replies)


def _as_fds_3_and_4(commands_read: int, replies_write: int) -> None:
    os.dup2(commands_read, 3)
    os.dup2(replies_write, 4)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    target_path = tmp_path_factory.mktemp("docs_site")
    run_dbt(["parse", "--target-path", str(target_path)])
    run_dbt(["docs", "generate", "--no-compile", "--empty-catalog", "--target-path", str(target_path)])
    handler = functools.partial(QuietHandler, directory=str(target_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevToolsPipe]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium package")
    page = DevToolsPipe(tmp_path / "chromium-profile")
    try:
        yield page
    finally:
        with contextlib.suppress(OSError):
            page.close()


def _documented_columns() -> list[str]:
    properties = yaml.safe_load(
        (PROJECT_DIR / "models/presentation/cluster_state_fact_presentation.yml").read_text()
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
