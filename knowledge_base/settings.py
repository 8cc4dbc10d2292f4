"""Typed settings for the knowledge base (environment prefix ``TTHC_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"


class KnowledgeBaseSettings(BaseSettings):
    """Where the knowledge base reads its catalog and keeps its store and index.

    Relative paths are resolved against the project root so that commands behave
    the same from any working directory.
    """

    model_config = SettingsConfigDict(env_prefix="TTHC_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'tthc.db'}",
        description="SQLAlchemy URL of the store (SQLite file by default, PostgreSQL by URL).",
    )
    catalog_dir: Path = Field(default=Path("../shared/data/catalog"))
    index_dir: Path = Field(default=Path("var/index"))
    embedding_model: str = Field(
        default="own",
        description="'own' trains the project's model at build time; otherwise a local "
        "sentence-transformers model directory.",
    )
    seed: int = 13

    def resolve(self, path: Path) -> Path:
        """Return ``path`` made absolute against the project root."""
        return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()

    @property
    def catalog_path(self) -> Path:
        """Absolute catalog directory."""
        return self.resolve(self.catalog_dir)

    @property
    def index_path(self) -> Path:
        """Absolute index directory."""
        return self.resolve(self.index_dir)


@lru_cache(maxsize=1)
def get_settings() -> KnowledgeBaseSettings:
    """Return the process-wide settings, read once from the environment."""
    return KnowledgeBaseSettings()
