"""Shared fixtures. Tests that read ../shared skip with a reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: no deadline (a shared 2-core machine), and generating unicode text is slow
# on first use. tests/test_fuzz_readers.py scales its budgets for `make fuzz`.
settings.register_profile("conflict-atlas", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("conflict-atlas")

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
    """No test writes to the user's data/ directory, nor to their data directory (where side
    files of failed writes may go)."""
    monkeypatch.setenv("CONFLICT_ATLAS_DATA", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture()
def app_store(tmp_path: Path, events: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store holding the module's ``events`` fixture, served to AppTest runs of the app."""
    from extract.store import write_events

    path = tmp_path / "events.parquet"
    write_events(events, path)
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(path))
    monkeypatch.delenv("CONFLICT_ATLAS_BASEMAP", raising=False)
    return path


@pytest.fixture(scope="session")
def extractor() -> object:
    """One :class:`extract.pipeline.Extractor` for the whole session: its spaCy pipelines,
    gazetteer, name lists and language detector load once (several seconds each time)."""
    from extract.pipeline import Extractor

    return Extractor()


@pytest.fixture()
def one_extractor(extractor: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """``conflict-atlas extract`` (and ``run_pipeline``) in this test code with the
    session's extractor instead of building their own. A run with its own language or event
    model builds one that shares the session's geocoder and pipelines; one with its own
    index or geocoder builds its own."""
    from extract import pipeline

    real = pipeline.Extractor

    def make(*, language: str = "auto", index_path: object = None, geocoder: object = None,
             classifier: object = None, event_model: object = None) -> object:
        if index_path is not None or geocoder is not None:
            return real(language=language, index_path=index_path, geocoder=geocoder,
                        classifier=classifier, event_model=event_model)
        if language == "auto" and classifier is None and event_model is None:
            return extractor
        own = real(language=language, geocoder=extractor.geocoder,  # type: ignore[attr-defined]
                   classifier=classifier, event_model=event_model)
        own.nlp = extractor.nlp  # type: ignore[attr-defined]
        return own

    monkeypatch.setattr(pipeline, "Extractor", make)


@pytest.fixture(scope="session")
def postgres_server() -> object:
    """The admin URL of a real PostgreSQL + PostGIS started for this test session."""
    from tests.postgres import skip_reason, start_postgres

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with start_postgres() as url:
        yield url


@pytest.fixture()
def postgis_url(postgres_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the test server, for one test."""
    import re

    from tests.postgres import new_database

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return new_database(postgres_server, name)
