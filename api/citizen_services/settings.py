"""Settings of the chat's citizen services (environment prefix ``TTHC_``).

Kept apart from the app's settings like the Zalo channel's: the status lookup
is an optional integration a ward switches on by setting ``TTHC_STATUS_URL``.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_CODE_PATTERN = r"\b\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}\b"


class CitizenServicesSettings(BaseSettings):
    """Where the status connector is and how the chat recognises application codes."""

    model_config = SettingsConfigDict(env_prefix="TTHC_", env_file=".env", extra="ignore")

    status_url: str = Field(default="", description="Status adapter: GET {url}?code=CODE "
                            "answers JSON {code, status, received_at, due_at, agency, note}; "
                            "empty: the chat explains the national portal's lookup.")
    status_timeout: float = Field(default=2.0, gt=0, le=30,
                                  description="Seconds before a lookup counts as down.")
    status_code_patterns: str = Field(
        default=DEFAULT_CODE_PATTERN, description="Regular expressions of application codes, "
        "separated by ' || ' (default: one-stop receipt codes like 000.21.30.H26-251201-0007).")
    status_lookups_per_hour: int = Field(default=10, ge=1, le=1000,
                                         description="Lookups a citizen may make per hour.")
    appointment_reminder_interval: float = Field(
        default=900.0, gt=0, description="Seconds between rounds of Zalo reminders sent the "
        "day before an appointment.")
    status_portal_url: str = Field(
        default="https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html",
        description="Where citizens look up an application themselves.")

    @property
    def code_patterns(self) -> list[str]:
        """The configured patterns, one per entry."""
        return [p.strip() for p in self.status_code_patterns.split(" || ") if p.strip()]
