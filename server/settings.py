"""One validated settings object for the whole process (prefix KETNOI_)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values copied from examples or left as placeholders must never sign a real session.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "your-secret-key", "ketnoi", "placeholder", "xxx"}
)
SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


class Settings(BaseSettings):
    """Every knob of a ketnoi process; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="KETNOI_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    secret_key: SecretStr = SecretStr("")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: str = ""
    trusted_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "testserver"]
    )
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (addresses or networks);
    # none by default, so no local process can choose the address its throttles count against.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    https: bool = False
    default_locale: str = "vi"
    redis_url: str = ""

    # Limits: every one is a setting with a sane default.
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    # A file upload (multipart) may be larger than any other body; each kind of file has its
    # own limit below this one.
    max_upload_bytes: int = Field(default=25_000_000, ge=1_024)
    talk_document_max_bytes: int = Field(default=20_000_000, ge=1_024)
    talk_documents_max: int = Field(default=10, ge=1, le=100)
    # An import of attendance points (a CSV file): its size and how many rows it may hold.
    points_import_max_bytes: int = Field(default=2_000_000, ge=1_024)
    points_import_max_rows: int = Field(default=2_000, ge=1, le=100_000)
    password_min_length: int = Field(default=10, ge=8, le=128)
    password_max_length: int = Field(default=256, ge=16, le=4_096)
    name_max_length: int = Field(default=200, ge=10, le=2_000)
    text_max_length: int = Field(default=2_000, ge=100, le=100_000)
    login_failures_per_window: int = Field(default=5, ge=1)
    login_failure_window_seconds: int = Field(default=300, ge=1)
    # How long each sign-in on an email past its failures waits (it is slowed, never refused).
    login_slow_seconds: float = Field(default=3.0, ge=0, le=60)
    signups_per_hour_per_ip: int = Field(default=20, ge=1)
    session_days: int = Field(default=14, ge=1, le=365)
    invitation_days: int = Field(default=7, ge=1, le=90)
    point_session_grace_hours: int = Field(default=12, ge=0, le=240)
    sqlite_busy_timeout_ms: int = Field(default=5_000, ge=0)

    # The realtime hub (/ws) and chat.
    hub_max_frame_bytes: int = Field(default=16_384, ge=1_024, le=1_048_576)
    hub_send_budget_bytes: int = Field(default=524_288, ge=16_384)
    # Frames for one socket within this window leave in one write (0: at the end of the loop's
    # turn). Fewer, larger writes cost both ends less CPU; each frame waits at most this long.
    hub_write_delay_ms: float = Field(default=0.0, ge=0, le=50)
    hub_ping_seconds: float = Field(default=5.0, gt=0)
    # Clients ping every hub_ping_seconds; two missed pings and some slack mark a room offline
    # within 15 s of losing its network (the presence flush adds at most a second).
    hub_idle_timeout_seconds: float = Field(default=12.0, gt=0)
    hub_requests_per_minute: int = Field(default=600, ge=10)
    hub_errors_per_minute: int = Field(default=20, ge=1)
    hub_max_subscriptions: int = Field(default=100, ge=1)
    # Sockets one account or attendance point may hold open at once (tabs, devices).
    hub_max_sockets_per_member: int = Field(default=12, ge=1, le=1_000)
    hub_session_check_seconds: float = Field(default=3.0, gt=0)
    hub_presence_flush_seconds: float = Field(default=1.0, gt=0)
    hub_node_timeout_seconds: float = Field(default=12.0, gt=0)
    hub_replay_max: int = Field(default=1_000, ge=10)
    chat_max_length: int = Field(default=2_000, ge=1, le=100_000)
    chat_messages_per_minute: int = Field(default=30, ge=1)
    floor_max_speakers: int = Field(default=1, ge=1, le=10)
    poll_max_options: int = Field(default=10, ge=2, le=50)

    # The media relay: its own process, on loopback, started by `ketnoi serve` (0: port + 1).
    relay_port: int = Field(default=0, ge=0, le=65535)
    relay_enabled: bool = True
    # Addresses the relay offers as ICE host candidates (empty: every interface but loopback).
    # Behind 1:1 NAT put the public address here; loopback-only setups put 127.0.0.1.
    relay_ice_addresses: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # STUN/TURN URLs for browsers and the relay; none by default (no outside lookups).
    relay_ice_servers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # coturn's REST scheme (use-auth-secret): short-lived TURN credentials from this secret.
    relay_turn_secret: SecretStr = SecretStr("")
    relay_turn_ttl_seconds: int = Field(default=3_600, ge=60, le=86_400)
    relay_video_codec: str = Field(default="VP8", pattern="^(VP8|H264)$")
    # Offers are bounded per media section (a browser lists every codec it has in each: about
    # 5.2 KB per video section and 1.2 KB per audio section in Chromium 156) and by their count,
    # so the largest booth call (7 people seen, 14 sections) fits with room to spare.
    relay_max_sdp_section_bytes: int = Field(default=16_384, ge=1_000, le=65_536)
    relay_max_sdp_sections: int = Field(default=20, ge=2, le=64)
    relay_max_sdp_bytes: int = Field(default=262_144, ge=1_000, le=1_000_000)
    relay_max_peers: int = Field(default=600, ge=1)
    relay_connect_timeout_seconds: float = Field(default=20.0, gt=0)
    # A peer that stops answering ICE consent checks this many times in a row is closed.
    relay_consent_seconds: int = Field(default=5, ge=1, le=60)
    relay_consent_failures: int = Field(default=6, ge=1)
    # Keyframe requests to a publisher, at most one per this interval while viewers wait.
    relay_keyframe_interval_seconds: float = Field(default=0.5, gt=0)
    # Mean interval of the RTCP sender reports each viewer track gets (lip sync, statistics);
    # RFC 3550 suggests 5 s, aiortc sends one a second.
    relay_report_seconds: float = Field(default=2.5, ge=0.5, le=10)
    # Video bitrate each publisher is asked to send at (REMB, every second). Every viewer gets
    # the stream as it is: this is what each attendance point must be able to receive.
    relay_video_kbps: int = Field(default=1000, ge=100, le=20_000)
    # Receive buffer of a publisher's sockets: room for bursts while the relay is busy.
    relay_publisher_buffer_bytes: int = Field(default=4_194_304, ge=65_536)
    # Unsent bytes a viewer's socket may hold; a viewer further behind skips to a keyframe.
    relay_viewer_buffer_bytes: int = Field(default=262_144, ge=16_384)
    relay_max_room_publishers: int = Field(default=4, ge=1, le=16)
    # Each talk's hall feed, floor speakers and interpretations are written to the data folder
    # as they are forwarded (no re-encoding).
    relay_record_talks: bool = True
    # People with camera and microphone in one booth's video call.
    booth_call_max_people: int = Field(default=4, ge=2, le=8)
    # How often the web process asks the relay what is live (talk.live, floor cameras).
    relay_poll_seconds: float = Field(default=1.0, gt=0)

    # Mail: invitations are mailed when a host is set, else shown to the organiser.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    smtp_from: str = "ketnoi <no-reply@localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator(
        "trusted_hosts",
        "trusted_proxies",
        "relay_ice_addresses",
        "relay_ice_servers",
        mode="before",
    )
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("default_locale must be 'vi' or 'en'")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'ketnoi.sqlite3'}"
        if not self.relay_port:
            self.relay_port = self.port + 1 if self.port < 65535 else self.port - 1
        if not self.public_base_url:
            self.public_base_url = f"http://{self.host}:{self.port}"
        self.public_base_url = self.public_base_url.rstrip("/")
        raw = self.secret_key.get_secret_value()
        if raw:
            if raw.strip().lower() in PLACEHOLDER_SECRETS or len(raw) < 32:
                raise ValueError(
                    "KETNOI_SECRET_KEY is a placeholder or shorter than 32 characters; "
                    "unset it to have one generated in the data folder"
                )
        else:
            self.secret_key = SecretStr(_load_or_create_secret(self.data_dir))
        return self

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return self.database_url.startswith("sqlite")


def _load_or_create_secret(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if len(value) < 32:
            raise ValueError(f"{path.name} in the data folder is damaged: delete it to renew")
        return value
    value = secrets.token_urlsafe(48)
    # O_EXCL + 0600: private from the first byte, and two processes starting at once agree on
    # one key (the loser reads the winner's).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
