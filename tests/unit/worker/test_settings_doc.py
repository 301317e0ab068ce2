"""Every knob the fleet reads is in docs/operations.md, with its real default and meaning."""

from __future__ import annotations

from tests.unit.worker.settings_doc import current, render


def test_the_readme_configuration_table_matches_the_settings() -> None:
    assert current() == render(), (
        "docs/operations.md's configuration table is stale: run "
        "`python -m tests.unit.worker.settings_doc --write`"
    )


def test_every_cross_field_bound_names_a_setting() -> None:
    from worker.settings import CROSS_FIELD_BOUNDS, Settings

    assert set(CROSS_FIELD_BOUNDS) <= set(Settings.model_fields)
