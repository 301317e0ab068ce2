"""The catalog: the runner's task names, their README section, and `snapfleet schema`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from tasks.payloads import (
    EXAMPLES,
    RESULT_EXAMPLES,
    TASK_PAYLOADS,
    VALIDATION_FAILURE_EXAMPLE,
    UnknownTask,
    payload_model,
    validate_payload,
)
from worker.cli import app
from worker.results import validation_failure

from .catalog_doc import render_catalog

README = Path(__file__).resolve().parents[3] / "README.md"

# docs/architecture.md, Contracts: the names the runner sends.
DESIGN_TASK_NAMES = {
    *(
        f"snap.{entity}.{verb}"
        for entity in ("campaign", "adsquad", "ad")
        for verb in ("create", "update", "pause", "resume", "delete")
    ),
    "snap.media.upload",
    "snap.creative.create",
    "snap.experiment.launch",
    "snap.experiment.set_variant_status",
    "snap.stats.pull",
    "snap.stats.pull_all",
    "snap.detect.run",
    "snap.connection.refresh",
    # Beat's own, the connect flow, the reads, the backfill, and the webhook refusal
    "snap.detect.deliver",
    "snap.connection.refresh_due",
    "snap.journal.complete",
    "snap.journal.reap",
    "snap.connection.authorize",
    "snap.connection.complete",
    "snap.connection.disconnect",
    "snap.organizations.list",
    "snap.adaccounts.list",
    "snap.campaign.list",
    "snap.adsquad.list",
    "snap.ad.list",
    "snap.experiment.results",
    "snap.stats.backfill",
    "snap.webhook.register",
}
# Tasks that act on no single ad account: fleet-wide jobs, a tenant's connection and reads.
NOT_ACCOUNT_SCOPED = {
    "snap.stats.pull_all", "snap.detect.run", "snap.connection.refresh",
    "snap.detect.deliver", "snap.connection.refresh_due", "snap.journal.complete",
    "snap.journal.reap", "snap.connection.authorize", "snap.connection.complete",
    "snap.connection.disconnect", "snap.organizations.list", "snap.adaccounts.list",
    "snap.webhook.register",
}  # fmt: skip


def test_the_catalog_is_exactly_the_design_contract():
    assert set(TASK_PAYLOADS) == DESIGN_TASK_NAMES
    assert set(EXAMPLES) == DESIGN_TASK_NAMES
    assert set(RESULT_EXAMPLES) == DESIGN_TASK_NAMES


@pytest.mark.parametrize("task", sorted(DESIGN_TASK_NAMES))
def test_every_task_payload_names_its_scope(task):
    # the task resolves the connection and gates before anything else: it needs the account
    fields = set(payload_model(task).model_fields)
    if task in NOT_ACCOUNT_SCOPED:
        assert not {"ad_account_id"} & fields
    else:
        assert "ad_account_id" in payload_model(task).model_json_schema()["required"]


def test_the_documented_failure_is_what_validation_failure_returns():
    payload = dict(EXAMPLES["snap.campaign.create"], daily_budget_usd="1.0000001")
    with pytest.raises(ValidationError) as caught:
        validate_payload("snap.campaign.create", payload)
    assert validation_failure(caught.value) == VALIDATION_FAILURE_EXAMPLE


def test_the_readme_shows_the_catalog_as_the_code_has_it():
    text = README.read_text(encoding="utf-8")
    for task in DESIGN_TASK_NAMES:
        assert f"### `{task}`" in text, f"README lacks {task}"
    assert render_catalog() in text, (
        "README's Task catalog drifted from tasks/payloads/: "
        "regenerate it with `python -m tests.unit.payloads.catalog_doc`"
    )


@pytest.mark.parametrize("task", sorted(DESIGN_TASK_NAMES))
def test_schema_prints_each_tasks_json_schema(task):
    result = CliRunner().invoke(app, ["schema", task])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert schema["title"] == TASK_PAYLOADS[task].__name__


def test_schema_lists_enum_values_from_the_rules_tables():
    result = CliRunner().invoke(app, ["schema", "snap.ad.create"])
    ad_type = json.loads(result.output)["properties"]["type"]
    assert "REMOTE_WEBPAGE" in ad_type["enum"]


@pytest.mark.parametrize("task", ["snap.creative.create", "snap.experiment.launch"])
def test_schema_example_prints_the_documented_example(task):
    result = CliRunner().invoke(app, ["schema", task, "--example"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXAMPLES[task]


def test_schema_without_a_task_lists_every_task():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.splitlines()}
    assert listed == DESIGN_TASK_NAMES


def test_an_unknown_task_exits_non_zero_naming_it_and_the_closest_name():
    result = CliRunner().invoke(app, ["schema", "snap.campain.create"])
    assert result.exit_code == 2
    assert "unknown task 'snap.campain.create'" in result.output
    assert "did you mean 'snap.campaign.create'?" in result.output


def test_payload_model_raises_unknown_task():
    with pytest.raises(UnknownTask, match=r"unknown task 'snap\.nope'"):
        payload_model("snap.nope")


def test_printing_a_schema_does_not_import_celery():
    # a fresh interpreter: other tests in this process may have imported Celery already
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from worker.cli import app\n"
        "assert 'tasks' not in sys.modules, 'worker.cli imported tasks at module level'\n"
        "result = CliRunner().invoke(app, ['schema', 'snap.campaign.create'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'celery'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
