from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def fake_scores(monkeypatch: pytest.MonkeyPatch) -> dict[int, Decimal]:
    """The reviews app's scores, as ``applications.decisions.program_scores`` sees them: fill
    the returned dict with application id → score."""
    table: dict[int, Decimal] = {}

    def program_scores(*, program: Any) -> dict[int, Decimal]:
        return {pk: value for pk, value in table.items()}

    monkeypatch.setattr("applications.decisions.services.program_scores", program_scores)
    monkeypatch.setattr("applications.decisions.selection.program_scores", program_scores)
    return table
