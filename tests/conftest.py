"""Shared fixtures. Tests that read ../shared skip with a reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference data not available: {SHARED} does not exist (fresh clone)")
    return SHARED


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes to the user's data/ directory."""
    monkeypatch.setenv("CONFLICT_ATLAS_DATA", str(tmp_path_factory.mktemp("data")))


@pytest.fixture()
def app_store(tmp_path: Path, events: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding the module's ``events`` fixture, served to AppTest runs of the app."""
    from extract.store import write_events

    path = tmp_path / "events.parquet"
    write_events(events, path)
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(path))
    monkeypatch.delenv("CONFLICT_ATLAS_BASEMAP", raising=False)
    return path
