"""A failing statement's error never shows its parameters (token ciphertext, payloads)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from storage.db import make_engine


def test_a_failing_statement_hides_its_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    secret = "gAAAAA-pretend-this-is-token-ciphertext"
    with pytest.raises((DBAPIError, StatementError)) as caught, engine.begin() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": secret})
    assert secret not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
    engine.dispose()
