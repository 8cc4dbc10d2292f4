"""Load the team's seed data into a store without overwriting anything admins changed."""

from __future__ import annotations

from knowledge_base.faq_store import FaqStore
from knowledge_base.seeds import seed_aliases, seed_faqs, seed_office_info
from knowledge_base.store import KnowledgeStore


def seed_store(store: KnowledgeStore) -> dict[str, int]:
    """Add new seed aliases and FAQ entries, retire withdrawn seed aliases, fill office facts."""
    store.seed_office_info(seed_office_info())
    aliases = seed_aliases()
    return {
        "aliases_added": store.sync_seed_aliases(aliases),
        "aliases_retired": store.retire_seed_aliases(aliases),
        "faqs_added": FaqStore(store).seed(seed_faqs()),
    }
