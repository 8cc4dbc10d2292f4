"""Corrections of the catalog's source the team made, applied in what citizens read.

The store keeps the catalog as imported (admins see the source; the search index is
built from it); answers, checklists and translations read procedures through
``KnowledgeBase.procedure``, which applies these.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from knowledge_base.models import DocumentGroup, Procedure
from knowledge_base.settings import DATA_DIR


@lru_cache(maxsize=1)
def _case_corrections() -> tuple[dict[str, str], ...]:
    data = yaml.safe_load((DATA_DIR / "catalog_corrections.yml").read_text(encoding="utf-8"))
    return tuple({k: str(v) for k, v in item.items()} for item in data.get("case_headings", []))


def correct_case_headings(code: str, groups: list[DocumentGroup]) -> list[DocumentGroup]:
    """Groups with the case headings the team corrected (``catalog_corrections.yml``).

    1.004222 (thường trú) files a vessel owner's papers under the home owner's heading:
    an apartment owner was told to bring the boat's registration. A correction applies
    only to a group that still has the heading and still starts with the quoted document;
    the group that really has the heading takes the relabelled one's place (first among
    the cases the citizen picks from, as the source meant), and the relabelled one goes
    last.
    """
    kept: list[DocumentGroup] = []
    moved: list[DocumentGroup] = []
    placed: set[int] = set()  # by identity: two groups may hold equal documents
    for group in groups:
        first = group.documents[0].name if group.documents else ""
        item = next((i for i in _case_corrections() if i["code"] == code
                     and group.case == i["heading"] and first.startswith(i["first_document"])),
                    None)
        if item is None:
            if id(group) not in placed:
                kept.append(group)
                placed.add(id(group))
            continue
        moved.append(group.model_copy(update={"case": item["corrected"]}))
        real = next((g for g in groups if g is not group and g.case == item["heading"]), None)
        if real is not None and id(real) not in placed:
            kept.append(real)  # the heading's own papers, where the source put the heading
            placed.add(id(real))
    return kept + moved


def corrected(procedure: Procedure) -> Procedure:
    """The procedure as citizens read it."""
    groups = correct_case_headings(procedure.code, procedure.document_groups)
    if groups == procedure.document_groups:
        return procedure
    return procedure.model_copy(update={"document_groups": groups})
