"""Load the team's seed data into a store without overwriting anything admins changed."""

from __future__ import annotations

from knowledge_base.faq_store import FaqStore
from knowledge_base.seeds import seed_aliases, seed_faqs, seed_office_info
from knowledge_base.store import KnowledgeStore


def seed_store(store: KnowledgeStore) -> dict[str, int]:
    """Add new seed aliases and FAQ entries, refresh untouched ones, retire withdrawn aliases."""
    store.seed_office_info(seed_office_info())
    aliases = seed_aliases()
    faqs, entries = FaqStore(store), seed_faqs()
    return {
        "aliases_added": store.sync_seed_aliases(aliases),
        "aliases_retired": store.retire_seed_aliases(aliases),
        "faqs_added": faqs.seed(entries),
        "faqs_refreshed": faqs.refresh_seeded(entries),
    }
