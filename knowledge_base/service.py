"""The knowledge base as one object per process: store, FAQ, search, office facts.

Construction is cheap; :meth:`KnowledgeBase.warm_up` loads the model and
builds the in-memory index. :meth:`refresh_if_changed` rebuilds the index
(without retraining) when an admin edit bumped the store's revision, which is
how FAQ changes become answerable within seconds without a restart, on every
replica that shares the database.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path

import yaml

from knowledge_base.build import current_build, load_corpus_from_store, make_pipeline
from knowledge_base.corpus import out_of_scope_replies
from knowledge_base.corrections import corrected
from knowledge_base.embedder import Embedder, load_embedder
from knowledge_base.errors import IndexNotReadyError, NotFoundError
from knowledge_base.faq_store import FaqStore
from knowledge_base.index import SearchIndex, TextCache
from knowledge_base.models import Faq, Procedure, SearchResult
from knowledge_base.retriever import Calibration, Retriever
from knowledge_base.settings import KnowledgeBaseSettings, get_settings
from knowledge_base.store import KnowledgeStore

logger = logging.getLogger(__name__)
REFRESH_INTERVAL_SECONDS = 1.0
FAQ_PROCEDURES = Path(__file__).parent / "data" / "faq_procedures.yml"


def load_faq_procedures(path: Path = FAQ_PROCEDURES) -> dict[str, list[str]]:
    """Procedure codes to offer under an FAQ answer, by FAQ slug (team data)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(slug): [str(code) for code in codes or []] for slug, codes in data.items()}


class KnowledgeBase:
    """Facade used by the API, the actions and the CLI."""

    def __init__(
        self, settings: KnowledgeBaseSettings | None = None, store: KnowledgeStore | None = None
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or KnowledgeStore(self.settings.database_url)
        self.faqs = FaqStore(self.store)
        self._retriever: Retriever | None = None
        self._embedder: Embedder | None = None
        self._calibration: Calibration | None = None
        self._revision = -1
        self._procedures: dict[str, tuple[int, Procedure]] = {}
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._cache: TextCache | None = None
        self._stop_polling = threading.Event()
        self._poller: threading.Thread | None = None
        self.build_dir: Path | None = None
        self._faq_procedures = load_faq_procedures()

    # --- lifecycle ----------------------------------------------------------
    def warm_up(self) -> None:
        """Load the current build's model and calibration and index the store's content."""
        with self._lock:
            build = current_build(self.settings.index_path)
            if build is None:
                raise IndexNotReadyError(self.settings.index_path)
            manifest = json.loads((build / "manifest.json").read_text())
            model_dir = Path(manifest["model_dir"])
            self._embedder = load_embedder(
                model_dir if model_dir.is_absolute() else build / model_dir
            )
            self._embedder.warm_up()
            self._calibration = Calibration(**json.loads((build / "calibration.json").read_text()))
            self.build_dir = build
            self._cache = None
            self._rebuild_index()

    @property
    def index_revision(self) -> int:
        """The store revision the search index reflects (-1 before the first build)."""
        return self._revision

    @property
    def ready(self) -> bool:
        """Whether the index is loaded and searches can be served."""
        return self._retriever is not None

    def _rebuild_index(self) -> None:
        """Index what the store holds now; the new index replaces the old in one assignment."""
        assert self._embedder is not None
        revision = self.store.revision()
        corpus = load_corpus_from_store(self.store)
        if self._cache is None:
            # The typo-repair vocabulary is fixed at warm-up; edits reuse processed texts,
            # and the build's saved texts and vectors spare the start-up recomputing them.
            self._cache = TextCache(make_pipeline(corpus), self._embedder)
            if self.build_dir is not None:
                self._cache.load(self.build_dir)
        index = SearchIndex(corpus, self._cache.pipeline, self._embedder, self._cache)
        self._retriever = Retriever(index, self._embedder, self._calibration)
        self._revision = revision
        logger.info("search index ready: revision %d, %d entries", revision, len(corpus.entries))

    def refresh_if_changed(self, force: bool = False, wait: bool = True) -> bool:
        """Re-index if an admin changed the store since the index was built.

        Cheap to call on every request (the revision is read at most once a
        second unless ``force``). With ``wait=False`` the re-index runs in a
        background thread and searches keep using the previous index meanwhile.
        """
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_INTERVAL_SECONDS:
            return False
        self._checked_at = now
        if self._retriever is None or self.store.revision() == self._revision:
            return False
        if not wait:
            if not self._refreshing.locked():
                threading.Thread(target=self._refresh, name="kb-refresh", daemon=True).start()
            return False
        return self._refresh()

    def start_auto_refresh(self, interval: float = REFRESH_INTERVAL_SECONDS) -> None:
        """Poll the store's revision in a daemon thread and re-index as soon as it changes.

        With this running, an edit saved through any replica is searchable on
        every replica within about ``interval`` plus the re-index time, even
        before anyone asks.
        """
        if self._poller and self._poller.is_alive():
            return
        self._stop_polling.clear()

        def poll() -> None:
            while not self._stop_polling.wait(interval):
                try:
                    self.refresh_if_changed(force=True)
                except Exception:  # the database may be briefly unavailable; try again
                    logger.exception("knowledge-base revision poll failed")

        self._poller = threading.Thread(target=poll, name="kb-poller", daemon=True)
        self._poller.start()

    def stop_auto_refresh(self, timeout: float = 10.0) -> None:
        """Stop the revision poller (at shutdown) and wait for a re-index in progress."""
        self._stop_polling.set()
        if self._poller is not None:
            self._poller.join(timeout)
            self._poller = None

    def _refresh(self) -> bool:
        with self._refreshing, self._lock:
            if self.store.revision() == self._revision:
                return False
            try:
                self._rebuild_index()
            except Exception:  # a bad edit must not take search down: keep the old index
                logger.exception("re-index after a knowledge-base change failed")
                return False
            return True

    # --- queries ------------------------------------------------------------
    @property
    def retriever(self) -> Retriever:
        """The current retriever (loads everything on first use)."""
        if self._retriever is None:
            self.warm_up()
        assert self._retriever is not None
        return self._retriever

    def search(self, text: str, limit: int = 5) -> SearchResult:
        """Search as the assistant does; picks up admin edits in the background."""
        self.refresh_if_changed(wait=False)
        return self.retriever.search(text, limit=limit)

    def procedure(self, code: str) -> Procedure:
        """One answerable-or-flagged procedure by code; raises NotFoundError.

        Kept in memory per index revision: the dialogue reads the procedure on
        every turn, and a database read plus validating the record was a tenth
        of the app's time per message. A catalog import bumps the revision, so
        the record changes together with what search serves. Don't mutate the
        returned object.
        """
        revision = self._revision
        cached = self._procedures.get(code)
        if cached is not None and cached[0] == revision >= 0:
            return cached[1]
        procedure = corrected(self.store.procedure(code))
        self._procedures[code] = (revision, procedure)
        return procedure

    def procedure_or_none(self, code: str | None) -> Procedure | None:
        """The procedure ``code`` names, or None (no code, or not in the store)."""
        if not code:
            return None
        try:
            return self.procedure(code)
        except NotFoundError:
            return None

    def faq(self, faq_id: int) -> Faq:
        """One FAQ entry by id; raises NotFoundError."""
        return self.faqs.get(faq_id)

    @staticmethod
    def out_of_scope_reply(topic: str | None) -> str | None:
        """Where a citizen asking about an out-of-scope topic should go instead, if known."""
        return out_of_scope_replies().get(topic) if topic else None

    def published_faq(self, slug: str) -> Faq | None:
        """The published FAQ entry with this slug, if admins kept it."""
        faq = self.faqs.by_slug(slug)
        return faq if faq is not None and faq.published and faq.id is not None else None

    def related_procedures(self, faq: Faq) -> list[Procedure]:
        """Procedures in force to offer under ``faq``'s answer ("sổ hộ khẩu" → cư trú).

        Codes the catalog lacks or keeps out of answers are skipped.
        """
        found = (self.procedure_or_none(code) for code in self._faq_procedures.get(faq.slug or "",
                                                                                    []))
        return [p for p in found if p is not None and p.answerable]

    def office_info(self) -> dict[str, str]:
        """Facts about the ward's public-service point, by key."""
        return self.store.office_info()

    def catalog_date(self) -> datetime | None:
        """When the catalog last changed: the date shown under answers."""
        return self.store.last_import()
