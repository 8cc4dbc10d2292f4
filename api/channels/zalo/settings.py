"""Settings of the Zalo Official Account channel (environment prefix ``TTHC_ZALO_``).

Kept apart from the app's settings so the channel can be switched on and off
on its own: without an app id, an OA secret key and an app secret the channel
is disabled and its webhook says so, while the rest of the app runs.
Secrets have no defaults; ``None`` means "not configured".
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ZaloSettings(BaseSettings):
    """Credentials, endpoints and behaviour of the Zalo OA channel."""

    model_config = SettingsConfigDict(env_prefix="TTHC_ZALO_", env_file=".env", extra="ignore")

    app_id: str | None = Field(default=None, description="Zalo app id (developers.zalo.me).")
    oa_secret_key: SecretStr | None = Field(
        default=None, description="OA secret key: signs the webhook events (X-ZEvent-Signature).")
    app_secret: SecretStr | None = Field(
        default=None, description="App secret key: sent as `secret_key` when refreshing tokens.")
    access_token: SecretStr | None = Field(
        default=None, description="Initial OA access token; later ones live in the database.")
    refresh_token: SecretStr | None = Field(
        default=None, description="Initial single-use refresh token; rotated in the database.")
    api_base: str = Field(default="https://openapi.zalo.me", description="Zalo OpenAPI base URL.")
    oauth_base: str = Field(default="https://oauth.zaloapp.com", description="Zalo OAuth base URL.")

    connect_timeout: float = Field(default=3.0, description="Seconds to connect to Zalo.")
    read_timeout: float = Field(default=10.0, description="Seconds to wait for Zalo's answer.")
    send_attempts: int = Field(default=4, ge=1,
                               description="Tries per message on transient errors.")
    retry_backoff: float = Field(default=0.5, ge=0, description="First retry delay (doubles).")
    retry_backoff_max: float = Field(default=8.0, ge=0, description="Longest retry delay.")
    refresh_margin: float = Field(
        default=3600.0, ge=0,
        description="Refresh the access token this many seconds before expiry.")
    refresh_wait: float = Field(
        default=20.0, gt=0, description="Seconds to wait for another process's token refresh.")

    staff_takeover_minutes: float = Field(
        default=60.0, gt=0,
        description="The bot stays silent this long after a staff member's last OA console reply.")
    free_reply_limit: int = Field(
        default=8, ge=1, description="Free replies allowed after a citizen's last message.")
    free_reply_window_hours: float = Field(
        default=48.0, gt=0, description="How long the free replies stay available.")
    pack_margin: int = Field(
        default=3, ge=0,
        description="Pack an answer into fewer messages when it would leave fewer free "
        "replies than this.")

    max_body_bytes: int = Field(default=64 * 1024, gt=0,
                                description="Largest webhook body accepted.")
    max_message_chars: int = Field(default=2000, gt=0, description="Longest text Zalo accepts.")
    max_buttons: int = Field(default=5, ge=1, description="Buttons per message.")
    max_event_age_hours: float = Field(
        default=168.0, ge=0, description="Reject signed events older than this (0: no check).")
    retention_days: float = Field(
        default=8.0, gt=0, description="Days processed events are kept for de-duplication.")

    workers: int = Field(default=8, ge=1, description="Citizens served in parallel.")
    poll_interval: float = Field(default=0.5, gt=0, description="Seconds between queue polls.")
    lease_seconds: float = Field(
        default=30.0, gt=0, description="A worker's claim on a citizen's queue expires after this.")

    @property
    def missing(self) -> list[str]:
        """Names of the settings the channel cannot run without."""
        required = {"TTHC_ZALO_APP_ID": self.app_id, "TTHC_ZALO_OA_SECRET_KEY": self.oa_secret_key,
                    "TTHC_ZALO_APP_SECRET": self.app_secret}
        return [name for name, value in required.items() if not _present(value)]

    @property
    def enabled(self) -> bool:
        """Whether the channel has what it needs to run."""
        return not self.missing


def _present(value: str | SecretStr | None) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return bool(value and value.strip())


def secret(value: SecretStr | None) -> str:
    """Return the plain value of an optional secret ('' when unset)."""
    return value.get_secret_value() if value is not None else ""


@lru_cache(maxsize=1)
def get_zalo_settings() -> ZaloSettings:
    """Return the process-wide Zalo settings, read once from the environment."""
    return ZaloSettings()
