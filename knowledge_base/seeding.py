"""Load the team's seed data into a store without overwriting anything admins changed."""

from __future__ import annotations

from knowledge_base.faq_store import FaqStore
from knowledge_base.seeds import seed_aliases, seed_faqs, seed_office_info
from knowledge_base.store import KnowledgeStore


def seed_store(store: KnowledgeStore) -> dict[str, int]:
    """Add seed aliases, the starter FAQ (first run only) and missing office facts."""
    store.seed_office_info(seed_office_info())
    return {
        "aliases_added": store.sync_seed_aliases(seed_aliases()),
        "faqs_added": FaqStore(store).seed(seed_faqs()),
    }
