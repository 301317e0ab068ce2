"""The runner's contract, held to the code: the reference, the catalog, the event message."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models.events import Event
from tasks.payloads import TASK_PAYLOADS, EventMessage
from tests.unit.payloads import runner_doc
from worker.errors import Code


def test_docs_runner_md_is_what_the_code_says() -> None:
    # `python -m tests.unit.payloads.runner_doc --write` brings it up to date
    assert runner_doc.DOC.read_text(encoding="utf-8") == runner_doc.render()


def test_every_registered_task_is_in_the_schema_catalog_and_back() -> None:
    from worker.app import create_app
    from worker.settings import Settings

    app = create_app(Settings())
    app.loader.import_default_modules()
    registered = {name for name in app.tasks if name.startswith("snap.")}
    assert registered == set(TASK_PAYLOADS)


def test_the_reference_documents_every_code_and_every_event_field() -> None:
    text = runner_doc.render()
    for code in Code:
        assert f"| `{code.value}` |" in text
    for field in EventMessage.model_fields:
        assert f"| `{field}` |" in text


def test_the_message_sent_for_an_event_is_the_documented_one() -> None:
    from worker.sync.events import message, message_id

    now = datetime(2026, 3, 1, 10, tzinfo=UTC)
    event = Event(
        id=7, transition_key="a" * 64, kind="ad_disapproved", entity_type="ad",
        entity_id="ad-1", ad_account_id="acct-1", before={"review_status": "PENDING"},
        after={"review_status": "REJECTED", "review_status_reasons": ["x"]},
        observed_at=now, detected_at=now,
    )  # fmt: skip
    sent = message(event)
    assert set(sent) == set(EventMessage.model_fields)
    assert EventMessage.model_validate(sent).kind == "ad_disapproved"
    assert message_id(event) == f"snap-event-{'a' * 32}"


def test_schema_events_prints_the_event_messages_json_schema() -> None:
    import json

    from typer.testing import CliRunner

    from tasks.payloads import event_schema
    from worker.cli import app

    result = CliRunner().invoke(app, ["schema", "--events"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == event_schema()
    assert set(printed["required"]) >= {"event_id", "transition_key", "kind", "detected_at"}
