"""`make demo` runs the fleet's main job end to end and says what it did."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from worker.cli.demo import run, tiny_png


def test_the_demo_runs_every_task_and_detects_both_state_changes(clean_settings: None) -> None:
    out = io.StringIO()
    assert run(Console(file=out, width=200)) == 0
    text = out.getvalue()
    for task in ("snap.campaign.create", "snap.creative.create", "snap.ad.create",
                 "snap.stats.pull_all", "snap.detect.run"):  # fmt: skip
        assert task in text
    assert "failed" not in text
    assert "ad_disapproved" in text and "daily_cap_hit" in text
    assert "every task succeeded" in text


@pytest.mark.parametrize("blob", [tiny_png()])
def test_the_demo_image_is_a_real_png(blob: bytes) -> None:
    import zlib

    assert blob.startswith(b"\x89PNG\r\n\x1a\n") and blob.endswith(b"IEND\xaeB`\x82")
    idat = blob.index(b"IDAT")
    length = int.from_bytes(blob[idat - 4 : idat], "big")
    assert zlib.decompress(blob[idat + 4 : idat + 4 + length]) == b"\x00\xff\xfc\x00"
