"""The team-written data the importer loads keeps its own rules (knowledge_base/data/)."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge_base.seeds import seed_aliases, seed_faqs
from knowledge_base.text import fold, normalize

DATA = Path(__file__).resolve().parents[2] / "knowledge_base" / "data"
CATALOG = Path(__file__).resolve().parents[3] / "shared" / "data" / "catalog"


def test_every_alias_names_one_procedure_in_a_short_lowercase_phrase():
    aliases = seed_aliases()
    counts = Counter(fold(normalize(a)) for texts in aliases.values() for a in texts)
    assert [a for a, n in counts.items() if n > 1] == []
    for texts in aliases.values():
        for alias in texts:
            assert alias == alias.lower() and 2 <= len(alias.split()) <= 10, alias


def test_alias_codes_exist_in_the_shared_catalog():
    if not CATALOG.is_dir():
        pytest.skip(f"shared catalog not found under {CATALOG}")
    known = {path.stem for path in CATALOG.glob("*/*.json")}
    assert sorted(set(seed_aliases()) - known) == []


def test_faq_slugs_and_out_of_scope_topics_are_unique():
    slugs = [faq.slug for faq in seed_faqs()]
    assert all(slugs) and len(slugs) == len(set(slugs))
    topics = [t["topic"] for t in yaml.safe_load((DATA / "out_of_scope.yml").read_text("utf-8"))]
    assert len(topics) == len(set(topics))


def test_an_out_of_scope_phrasing_is_never_also_an_faq_phrasing_or_alias():
    faq_texts = {fold(normalize(p)) for faq in seed_faqs() for p in [faq.question, *faq.phrasings]}
    alias_texts = {fold(normalize(a)) for texts in seed_aliases().values() for a in texts}
    for topic in yaml.safe_load((DATA / "out_of_scope.yml").read_text("utf-8")):
        for phrasing in topic["phrasings"]:
            assert fold(normalize(phrasing)) not in faq_texts | alias_texts, phrasing


def test_every_pointer_to_another_office_cites_its_legal_source() -> None:
    import re

    from knowledge_base.corpus import out_of_scope_replies

    replies = out_of_scope_replies()
    assert len(replies) >= 10
    cited = re.compile(r"(Luật|Bộ luật|Nghị định|Thông tư)[^()]*\d{4}")
    assert [topic for topic, reply in replies.items() if not cited.search(reply)] == []
