"""The event log decoders without Spark: Spark-written files against independent tools and hand-made
edge cases (the loader tests cover every codec end to end)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from overwatch.spark_event_log_codecs import UnreadableEventLog, codec_of, decoded_lines, log_name

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spark_event_logs"


def test_a_zstd_log_spark_wrote_decodes_as_the_zstd_tool_reads_it():
    zstd = shutil.which("zstd")
    if zstd is None:
        pytest.skip("the zstd command line tool is not installed")
    (path,) = (FIXTURES / "single" / "zstd").iterdir()
    text = subprocess.run([zstd, "-dc", str(path)], capture_output=True, check=True).stdout.decode()
    expected = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]

    assert list(decoded_lines(str(path), path.read_bytes())) == expected


def test_names_empty_files_blank_lines_and_damaged_bytes():
    assert codec_of("dbfs:/logs/app-1.zstd.inprogress") == "zstd"
    assert log_name("dbfs:/logs/app-1.zstd.inprogress") == "app-1.zstd"
    assert codec_of("eventlog-2026-01-05--10-00.gz") == "gz"
    assert codec_of("application_1506645932520_24630151") == "none"
    assert list(decoded_lines("app-1.zstd", b"")) == []
    # Blank lines count as lines; a CR before the newline and a last line without one are kept.
    assert list(decoded_lines("app-1", b'{"a":1}\r\n\n  \n{"b":\xff2}')) == [
        (1, '{"a":1}'),
        (4, '{"b":\ufffd2}'),
    ]
    with pytest.raises(UnreadableEventLog, match=r"unknown compression extension \.bz2"):
        list(decoded_lines("app-1.bz2", b"BZh9"))
