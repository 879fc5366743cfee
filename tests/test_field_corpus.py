"""The field corpus (bench/field) is well-formed: what the scorer and the closing notes rely on."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dynaguard.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
FIELD = ROOT / "bench" / "field"
MANIFEST = tomllib.loads((FIELD / "manifest.toml").read_text(encoding="utf-8"))["repo"]
PARTS = sorted(FIELD.glob("manifest-*.toml"))
"""Other parts of the corpus, scored apart (Chalice, Lambda handlers)."""
EVERY = [
    *MANIFEST,
    *(e for part in PARTS for e in tomllib.loads(part.read_text(encoding="utf-8"))["repo"]),
]
HELDOUT = ROOT.parent / "shared" / "heldout-repos.txt"
RULES = {rule.id for rule in CATALOGUE}


def test_the_corpus_has_at_least_25_repositories_and_150_labels() -> None:
    names = [entry["name"] for entry in MANIFEST]
    assert len(set(names)) == len(names) >= 25
    present = 0
    for entry in MANIFEST:
        labels = tomllib.loads((FIELD / entry["labels"]).read_text(encoding="utf-8"))
        present += sum(len(h.get("present", [])) for h in labels.get("handler", []))
    assert present >= 150


@pytest.mark.skipif(not HELDOUT.exists(), reason="../shared is not beside the project")
def test_no_held_out_repository_is_in_the_corpus() -> None:
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    held = {ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")}
    assert not {entry["name"].lower() for entry in EVERY} & held


def test_no_repository_is_in_two_parts() -> None:
    names = [entry["name"] for entry in EVERY]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("entry", EVERY, ids=lambda e: e["name"])
def test_labels_agree_with_the_manifest_and_name_real_rules(entry: dict[str, object]) -> None:
    assert len(str(entry["commit"])) == 40
    labels = tomllib.loads((FIELD / str(entry["labels"])).read_text(encoding="utf-8"))
    assert labels["repo"] == entry["name"] and labels["commit"] == entry["commit"]
    assert labels.get("scan", ["."]) == entry["scan"]
    handlers = labels.get("handler", [])
    assert handlers
    places = [(h["path"], h["function"]) for h in handlers]
    assert len(set(places)) == len(places), "one [[handler]] per function"
    assert isinstance(labels.get("revised", ""), str)
    for handler in handlers:
        assert handler["path"] and handler["function"]
        # A label corrected after the first reading says when and why.
        assert isinstance(handler.get("revised", ""), str) and handler.get("revised") != ""
        for key in ("present", "absent"):
            for label in handler.get(key, []):
                assert label["rule"] in RULES, (handler["function"], label["rule"])
                assert label.get("why"), (handler["function"], label["rule"])
        present = {label["rule"] for label in handler.get("present", [])}
        absent = {label["rule"] for label in handler.get("absent", [])}
        assert not present & absent, handler["function"]
