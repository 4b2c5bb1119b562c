"""Readable derivations: every estimate's note ships with the package, and every source row that
cites a section of the reference sheets points to a note and heading that exist."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from corridor import analysis as api

POINTER = re.compile(r"notes/([A-Za-z0-9_\-]+\.md)#([A-Za-z0-9\-]+)")
SECTION = re.compile(r"§\s*\d")


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, '-' for spaces."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(name: str) -> set[str]:
    """Anchors of the headings of one shipped note (empty if the note is not shipped)."""
    note = resources.files("corridor").joinpath("data", "notes", name)
    if not note.is_file():
        return set()
    text = note.read_text(encoding="utf-8")
    return {slug(m) for m in re.findall(r"^#{1,6}\s+(.+)$", text, flags=re.MULTILINE)}


def test_slug_follows_github():
    assert slug("Kazakh rail tariff 2026") == "kazakh-rail-tariff-2026"
    assert slug("Black Sea and Mediterranean container rates") == (
        "black-sea-and-mediterranean-container-rates"
    )


def test_every_section_citation_points_to_a_shipped_note():
    missing = [
        s.id
        for s in api.default_network().sources
        if SECTION.search(s.citation + s.method) and not POINTER.search(s.citation + s.method)
    ]
    assert missing == [], f"sources citing a section without a notes/FILE.md#heading: {missing}"


def test_every_note_pointer_resolves():
    broken = []
    for s in api.default_network().sources:
        for name, anchor in POINTER.findall(s.citation + s.method):
            if anchor not in anchors(name):
                broken.append(f"{s.id}: notes/{name}#{anchor}")
    assert broken == []


@pytest.mark.parametrize("name", ["risk.md", "rates.md", "compliance.md"])
def test_the_notes_ship_with_their_headings(name: str):
    assert anchors(name), f"data/notes/{name} is not shipped or has no headings"


def test_a_broken_pointer_is_caught():
    assert "no-such-heading" not in anchors("rates.md")
    assert anchors("no_such_note.md") == set()
