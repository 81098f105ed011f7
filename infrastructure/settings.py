"""Every setting of convo, read from `CONVO_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "convo.db"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="",
        description="Empty: a SQLite file `convo.db` in the working directory. "
        "`sqlite:///path/to/file.db` or `postgresql://user:password@host:port/dbname`; on a cluster, "
        "every node: `postgresql://user@db1:5432,db2:5432,db3:5432/dbname` (writes go to the primary).",
    )
    read_database_url: str = Field(
        default="",
        description="PostgreSQL only: where reads that may be a moment stale go (audit, analytics, console), "
        "e.g. the cluster's URL with `?target_session_attrs=prefer-standby`. Empty: the primary.",
    )

    @field_validator("read_database_url")
    @classmethod
    def _postgres_only(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql://")
        return value

    idle_timeout_minutes: float = Field(
        default=60.0, gt=0, description="A message after this much silence opens a new session."
    )
    listing_max_age_minutes: float = Field(
        default=1440.0,
        gt=0,
        description='How long "3" or a typed name can refer to a list shown in an earlier session.',
    )
    model_url: str = Field(
        default="",
        description="Base URL of an OpenAI-compatible endpoint asked when the local layers are unsure "
        "(e.g. `http://127.0.0.1:11434/v1`); empty: never asked.",
    )
    model_name: str = Field(default="", description="The model to ask at `model_url`.")
    model_api_key: SecretStr | None = Field(default=None, description="Bearer key for `model_url`, if any.")
    model_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        le=10,
        description="How long a turn waits for the model before answering without it.",
    )
    model_below_confidence: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="The model is asked only when the local layers are less sure than this.",
    )
    demo_data: bool | None = Field(
        default=None,
        description="Load the demo site directory at start. Default: yes on SQLite, no on PostgreSQL.",
    )
    snapshot_interval: int = Field(default=20, ge=2, description="Snapshot a conversation every N events.")
    directory_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long who a number belongs to, and their sites, are remembered (0: ask every turn).",
    )
    aggregate_cache_size: int = Field(
        default=2000, ge=0, description="Conversations kept in memory per worker (0: no cache)."
    )
    allocator: Literal["jemalloc", "python"] = Field(
        default="jemalloc",
        description="The memory allocator `convo serve` runs on: jemalloc keeps a worker's memory flat as "
        "its caches turn over (Debian: `libjemalloc2`; where it is missing, Python's own, with a warning).",
    )
    last_writers_file: Path | None = Field(
        default=None,
        description=(
            "Set by `convo serve --workers N` for its workers: the board in shared memory where each "
            "notes the conversations it wrote last, so another reads them before its next turn."
        ),
    )
    pool_size: int = Field(default=5, ge=1, description="PostgreSQL connections kept open per worker.")
    pool_max_overflow: int = Field(
        default=5, ge=0, description="Extra PostgreSQL connections a worker may open under load."
    )
    pool_timeout_seconds: int = Field(
        default=2,
        ge=1,
        description="How long a query waits for a pooled connection before the request gets a 503.",
    )
    connect_timeout_seconds: int = Field(
        default=2,
        ge=1,
        description="How long one attempt to connect to a PostgreSQL node may take "
        "(unless the URL gives its own connect_timeout).",
    )
    statement_timeout_seconds: float = Field(
        default=5.0,
        ge=0,
        description="PostgreSQL cancels a statement of the service or its workers that runs longer "
        "(0: no limit; migrations are never limited).",
    )
    request_body_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="A request whose body has not fully arrived after this long is answered 408 and closed.",
    )
    turn_max_attempts: int = Field(
        default=8, ge=1, description="Tries of a turn when other writers win the race for a conversation."
    )
    batch_threads: int = Field(
        default=8,
        ge=1,
        description="Turns of different senders run at once for one webhook batch (each sender's in order).",
    )
    busy_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a webhook waits for a free turn slot before answering 503 with Retry-After.",
    )
    api_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for the audit, analytics and projection endpoints; unset, they answer 401.",
    )
    master_key: SecretStr | None = Field(
        default=None,
        description="32 random bytes in base64 (`openssl rand -base64 32`) wrapping every person's "
        "data keys. "
        "Required on PostgreSQL; unset on the embedded SQLite default, a development key is used.",
    )
    previous_master_keys: SecretStr | None = Field(
        default=None,
        description="During a master key rotation: the previous key(s), comma-separated, until "
        "`convo rotate-master-key` has re-wrapped every data key.",
    )
    key_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="How long a process keeps a data key it read: another process's erasure reaches "
        "its reads within this time (its writes at once).",
    )
    retention_days: float | None = Field(
        default=None,
        gt=0,
        description="Content of sessions closed longer ago than this is shredded by `convo retention run` "
        "(and by `convo serve` once an hour). Unset: kept until erased.",
    )
    projection_batch_size: int = Field(
        default=1000, ge=1, description="Events a projection applies per transaction."
    )
    projection_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often projections look for new events when no notification wakes them.",
    )
    projections_in_serve: bool | None = Field(
        default=None,
        description="Run the projections inside `convo serve`. Default: yes on SQLite, no on PostgreSQL "
        "(run `convo projections run` there).",
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="Twilio auth token: every Twilio webhook must be signed with it."
    )
    twilio_webhook_url: str | None = Field(
        default=None,
        description="The public URL Twilio calls (what it signs), e.g. behind a proxy; "
        "default: the URL received.",
    )
    whatsapp_app_secret: SecretStr | None = Field(
        default=None,
        description="Meta app secret: every WhatsApp webhook must carry its X-Hub-Signature-256.",
    )
    whatsapp_verify_token: SecretStr | None = Field(
        default=None, description="The token Meta's webhook verification handshake must present."
    )
    whatsapp_access_token: SecretStr | None = Field(
        default=None, description="Cloud API access token the delivery worker sends replies with."
    )
    whatsapp_phone_number_id: str | None = Field(
        default=None, description="The business phone number id replies are sent from."
    )
    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v21.0", description="Graph API base URL, with its version."
    )
    whatsapp_sends_per_second: float = Field(
        default=70.0,
        gt=0,
        description="Pace of replies through the business number, under its throughput "
        "(Meta's default is 80 messages a second).",
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Bot token the delivery worker sends Telegram replies with."
    )
    telegram_secret_token: SecretStr | None = Field(
        default=None,
        description="The secret_token given to setWebhook: every Telegram webhook must carry it "
        "in X-Telegram-Bot-Api-Secret-Token.",
    )
    telegram_api_url: str = Field(default="https://api.telegram.org", description="Bot API base URL.")
    telegram_sends_per_second: float = Field(
        default=25.0,
        gt=0,
        description="Pace of the bot's calls (messages and press answers), under Telegram's "
        "about 30 a second.",
    )
    telegram_chat_sends_per_second: float = Field(
        default=1.0,
        gt=0,
        description="Pace of replies in one chat (bursts of 3 allowed), as Telegram asks.",
    )
    generic_webhook_token: SecretStr | None = Field(
        default=None,
        description="Bearer token every POST /webhooks/generic must carry; unset, it answers 403 "
        "(unless insecure_webhooks).",
    )
    insecure_webhooks: bool = Field(
        default=False,
        description="Development only: accept unsigned webhooks on channels that have no secret configured.",
    )
    delivery_in_serve: bool | None = Field(
        default=None,
        description="Run the delivery worker inside `convo serve`. Default: yes on SQLite, no on PostgreSQL "
        "(run `convo deliver` there).",
    )
    delivery_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Tries of a reply on transient provider errors and timeouts before it is recorded "
        "as failed; throttled tries do not count.",
    )
    delivery_retry_seconds: float = Field(
        default=0.5, gt=0, description="First back-off between tries; it doubles each time (with jitter)."
    )
    delivery_max_retry_seconds: float = Field(
        default=30.0, gt=0, description="Longest wait between tries, also when a provider asks for longer."
    )
    delivery_max_throttled_seconds: float = Field(
        default=600.0,
        gt=0,
        description="How long a reply the provider throttles (rate limits) keeps being retried "
        "before it is recorded as failed.",
    )
    delivery_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one call to a provider."
    )
    delivery_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="One delivery worker sends at a time; when it dies, another takes over after this long.",
    )
    delivery_concurrency: int = Field(
        default=4, ge=1, description="Conversations whose replies a delivery worker sends at once."
    )
    delivery_batch_size: int = Field(
        default=100, ge=1, description="Replies a delivery worker reads from the log at a time."
    )
    twilio_account_sid: str | None = Field(
        default=None, description="Twilio account SID: with the auth token, fetches what Twilio users send."
    )
    twilio_api_url: str = Field(
        default="https://api.twilio.com",
        description="Twilio API base URL: media URLs elsewhere are refused, never sent the credentials.",
    )
    media_dir: Path = Field(
        default=Path("media"),
        description="Where media are stored (without an S3 bucket) and staged while downloading.",
    )
    media_bucket: str | None = Field(
        default=None, description="Store media in this S3-compatible bucket instead of media_dir."
    )
    media_bucket_endpoint_url: str | None = Field(
        default=None, description="The S3-compatible endpoint (MinIO, Ceph...); unset: AWS S3."
    )
    media_bucket_region: str | None = Field(default=None, description="The bucket's region.")
    media_bucket_access_key_id: str | None = Field(
        default=None, description="S3 access key id; unset: boto3's own chain (instance role...)."
    )
    media_bucket_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key.")
    media_max_megabytes: float = Field(
        default=16.0, gt=0, description="Media larger than this are refused (politely) and not stored."
    )
    media_accepted_types: str = Field(
        default="image/*,video/*,audio/*,application/pdf",
        description="MIME types (patterns, comma-separated) of the media stored; others are refused.",
    )
    media_fetch_max_attempts: int = Field(
        default=5, ge=1, description="Tries of a media download on 5xx, timeouts and expired URLs."
    )
    media_fetch_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Timeout of one call to a provider while fetching media."
    )
    media_concurrency: int = Field(
        default=2, ge=1, description="Conversations whose media one fetcher downloads at once."
    )
    transcription_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API whose /audio/transcriptions turns voice notes "
        "into text; unset, people are asked to type instead.",
    )
    transcription_model: str = Field(default="whisper-1", description="The transcription model to ask for.")
    transcription_api_key: SecretStr | None = Field(
        default=None, description="Bearer key of the transcription endpoint, if it needs one."
    )
    transcription_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long a transcription may take before people are asked to type."
    )
    migrations_dir: Path = Field(
        default=PROJECT_ROOT / "migrations", description="Where the numbered SQL migrations live."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Log level of the service."
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Log lines as JSON objects, one per line, or as text with key=value fields.",
    )
    log_personal_data: bool = Field(
        default=False,
        description="Log phone numbers and message texts in full (local debugging only); "
        "otherwise they are masked.",
    )
    metrics_enabled: bool = Field(
        default=True, description="Count turns, deliveries and the rest for GET /metrics (Prometheus)."
    )
    console_session_hours: float = Field(
        default=12.0, gt=0, description="How long a sign-in to the web console lasts."
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        if self.is_postgres:
            raise ValueError("the database is PostgreSQL, not SQLite")
        if not self.database_url:
            return Path.cwd() / DEFAULT_SQLITE_FILE
        # sqlite:///relative.db or sqlite:////absolute/path.db, as SQLAlchemy spells them.
        return Path(self.database_url.removeprefix("sqlite:///") or DEFAULT_SQLITE_FILE)

    @property
    def run_projections_in_serve(self) -> bool:
        if self.projections_in_serve is not None:
            return self.projections_in_serve
        return not self.is_postgres

    @property
    def run_delivery_in_serve(self) -> bool:
        if self.delivery_in_serve is not None:
            return self.delivery_in_serve
        return not self.is_postgres

    @property
    def load_demo_data(self) -> bool:
        return self.demo_data if self.demo_data is not None else not self.is_postgres
