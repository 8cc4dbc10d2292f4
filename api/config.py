"""The app's typed settings (environment prefix ``TTHC_``), one object per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from sqlalchemy.engine import make_url

from knowledge_base.settings import KnowledgeBaseSettings


class AppSettings(KnowledgeBaseSettings):
    """Knowledge-base settings plus what the app, the Rasa link and the launcher need."""

    host: str = Field(default="127.0.0.1", description="Interface the app listens on.")
    port: int = Field(default=8000, description="Port of the app (and of the action endpoint).")
    rasa_url: str = Field(default="http://127.0.0.1:5005", description="Rasa server base URL "
                          "(or several, comma-separated; each conversation sticks to one).")
    rasa_processes: int = Field(default=1, ge=1, le=16, description="Rasa servers the launcher "
                                "starts, on consecutive ports from TTHC_RASA_URL's.")
    rasa_connect_timeout: float = Field(default=1.0, description="Seconds to connect to Rasa.")
    rasa_timeout: float = Field(default=15.0, description="Seconds to wait for Rasa's reply.")
    rasa_retry_after: float = Field(
        default=5.0, description="Seconds degraded mode waits before trying Rasa again.")
    bot_dir: Path = Field(default=Path("bot"), description="The Rasa project directory.")
    rasa_tracker_db: Path = Field(default=Path("var/rasa_tracker.db"),
                                  description="SQLite file of Rasa's tracker store.")
    rasa_tracker_url: str = Field(default="", description="SQLAlchemy URL of Rasa's tracker "
                                  "store (psycopg2 driver); unset: the app's PostgreSQL "
                                  "database if it uses one, else the SQLite file above.")
    max_text_chars: int = Field(default=2000, description="Longest citizen message accepted.")
    public_url: str = Field(default="", description="URL citizens use (printed by make run).")
    log_level: str = Field(default="INFO")
    widget_origins: str = Field(default="", description="Comma-separated origins "
                                "(https://host) of sites embedding the widget; CORS allows them.")
    frame_ancestors: str = Field(default="'self'", description="CSP frame-ancestors of the pages.")
    max_body_bytes: int = Field(default=1024 * 1024, description="Largest request body accepted.")
    rate_limit_per_minute: int = Field(default=30, description="Messages a sender may send a "
                                       "minute after its burst (0 disables the limit).")
    rate_limit_burst: int = Field(default=10, description="Messages a sender may send at once.")
    redis_url: str = Field(default="", description="redis://host:port/db shared by the replicas "
                           "(Zalo work queue, rate limits, Rasa's lock store); empty: none.")
    pii_key: SecretStr | None = Field(default=None, description="Fernet key(s), comma-separated "
                                      "(first encrypts), of the encrypted originals of messages "
                                      "with personal data; unset: a local key file is used.")
    pii_key_file: Path | None = Field(default=None, description="Key file used without "
                                      "TTHC_PII_KEY (default: pii.key next to the SQLite file).")
    pii_retention_days: int = Field(default=30, ge=0, description="Days the originals of "
                                    "messages with personal data are kept (0: never stored).")
    trusted_proxies: str = Field(default="", description="Comma-separated addresses or "
                                 "networks (10.0.0.0/8) of reverse proxies; only requests from "
                                 "them may state the client in X-Forwarded-For/-Proto.")
    chat_address_per_minute: int = Field(default=120, description="Messages one client address "
                                         "may send a minute to /api/chat, all senders together "
                                         "(0 disables).")
    chat_address_burst: int = Field(default=60, description="Messages one address may send "
                                    "at once.")
    updates_per_minute: int = Field(default=30, description="Polls of /api/chat/updates a "
                                    "sender may make a minute (the widget polls every 5 s).")
    updates_address_per_minute: int = Field(default=600, description="Polls one address may "
                                            "make a minute, all senders together.")
    chat_unsigned_senders: bool = Field(default=False, description="Accept sender ids the "
                                        "server did not issue (old API clients); unset, such an "
                                        "id starts a new conversation under an issued id.")
    widget_history_days: int = Field(default=30, ge=0, description="Days the widget keeps a "
                                     "conversation in the browser (0: only for the page).")
    api_docs: bool = Field(default=True, description="Serve /docs, /redoc and /openapi.json "
                           "(turn off in production).")
    hsts_max_age: int = Field(default=31536000, ge=0, description="Strict-Transport-Security "
                              "max-age sent over https (0: none).")
    rasa_token: SecretStr | None = Field(default=None, description="Token of Rasa's HTTP API "
                                         "(--auth-token); the launcher generates one.")
    action_token: SecretStr | None = Field(default=None, description="Token Rasa sends to the "
                                           "action endpoint /webhook; the launcher generates "
                                           "one. Unset: /webhook is open (tests only).")

    @property
    def bot_path(self) -> Path:
        """The Rasa project directory, absolute."""
        return self.resolve(self.bot_dir)

    @property
    def domain_path(self) -> Path:
        """The directory of the domain files (the bot's responses)."""
        return self.bot_path / "domain"

    @property
    def rasa_tracker_path(self) -> Path:
        """Rasa's SQLite tracker-store file, absolute."""
        return self.resolve(self.rasa_tracker_db)

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa server: the listed URLs, or ``rasa_processes`` consecutive ports."""
        urls = [url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip()]
        if len(urls) > 1 or self.rasa_processes == 1:
            return urls
        first = urlsplit(urls[0])
        return [f"{first.scheme}://{first.hostname}:{(first.port or 5005) + i}"
                for i in range(self.rasa_processes)]

    @property
    def rasa_tracker_store_url(self) -> str:
        """Where Rasa keeps conversations, as an SQLAlchemy URL Rasa's venv can open."""
        if self.rasa_tracker_url:
            return self.rasa_tracker_url
        url = make_url(self.database_url)
        if url.get_backend_name() == "postgresql":
            # Rasa's venv has psycopg2, not the app's psycopg 3
            return url.set(drivername="postgresql").render_as_string(hide_password=False)
        return f"sqlite:///{self.rasa_tracker_path}"

    @property
    def base_url(self) -> str:
        """The URL citizens use to reach the app."""
        return self.public_url or f"http://{self.host}:{self.port}"


@lru_cache(maxsize=1)
def get_app_settings() -> AppSettings:
    """The process-wide settings, read once from the environment."""
    return AppSettings()
