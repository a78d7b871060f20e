"""Shared fixtures: the real specs, a fresh queue database, submission builders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mcreview.core.specs import Spec
from mcreview.services.specfiles import load_spec_dir
from mcreview.store.sqlite import open_sqlite

REPO = Path(__file__).resolve().parent.parent
SPECS_DIR = REPO / "mcreview" / "data" / "specs"
SAMPLE_DIR = REPO / "mcreview" / "data" / "sample_queue"


@pytest.fixture(scope="session")
def specs() -> dict[str, Spec]:
    loaded, problems = load_spec_dir(SPECS_DIR)
    assert problems == []
    return loaded


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "queue.db"


@pytest.fixture
def database(db_path: Path):
    database = open_sqlite(db_path)
    yield database
    database.conn.close()


def words(n: int, word: str = "practice") -> str:
    return " ".join([word] * n)


def ppr_record(submission_id: str = "PPR-T-001", **changes) -> dict:
    """A complete Positive Professional Relationships submission."""
    record = {
        "id": submission_id,
        "credential": "positive-professional-relationships",
        "submitted": "2026-10-01",
        "candidate": "C-10001",
        "responses": {
            "overview": words(400),
            "action-plan": "## Goals\n\n- " + words(200),
            "case-study": words(300),
            "reflection": words(420),
        },
    }
    record.update(changes)
    return record


def write_yaml(folder: Path, name: str, record) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, sort_keys=False, width=10**6), encoding="utf-8")
    return path


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    """A queue database loaded with the bundled sample queue."""
    from mcreview.services import importer

    path = tmp_path / "sample.db"
    database = open_sqlite(path)
    specs, _ = load_spec_dir(SPECS_DIR)
    report = importer.import_paths(database, [SAMPLE_DIR], specs)
    assert report.imported and not report.rejected
    database.conn.close()
    return path


def all_passing() -> dict[str, str]:
    """Every scored component of a PPR submission at its passing level."""
    return {
        "overview": "Passing",
        "action-plan": "Proficient",
        "case-study": "Proficient",
        "reflection": "Passing",
    }


def live_claim_of(store, submission_id: str):
    """The live claim on a submission, judged by the database's clock."""
    from mcreview.services.claims import live_claim

    return store.read(lambda tx: live_claim(tx, submission_id))
