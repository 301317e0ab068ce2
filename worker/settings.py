"""Every knob of the fleet, read from the environment once and validated at start.

The names the dashboard's platform sets (seed 000: `SNAPCHAT_ADS_*`, `REDIS_URL`, `DATABASE_URL`,
`SNAPFLEET_ENCRYPTION_KEY`) are read as they are; the fleet's own knobs carry the
`SNAPFLEET_` prefix. With `REDIS_URL` and `DATABASE_URL` unset the fleet runs embedded on
one machine (in-process broker, fakeredis gate store, SQLite under `SNAPFLEET_HOME`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STATS_FIELDS = (
    "spend,impressions,swipes,view_completion,conversion_purchases,conversion_purchases_value"
)


# The ECB's euro reference rates of the last 90 days (the format worker/fx.py parses): one
# fetch covers a first stats pull's whole lookback, where the daily file has one day only.
ECB_REFERENCE_RATES_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"

# A beat lock must cover this many loops, so one late wake-up never loses it.
BEAT_LOOPS_PER_LOCK = 3


def check_loop_interval(loop_interval_s: float, lock_timeout_s: float) -> None:
    """Refuse a beat loop interval that could let its lock expire between two extensions.

    Beat extends its Redis lock once per loop; a lock that expires while beat sleeps
    stopped redbeat's beat with LockNotOwnedError (https://github.com/sibson/redbeat/issues/92).
    """
    if loop_interval_s <= 0 or loop_interval_s * BEAT_LOOPS_PER_LOCK > lock_timeout_s:
        raise ValueError(
            f"SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S ({loop_interval_s:g}s) must be more than 0 "
            f"and at most a third of SNAPFLEET_BEAT_LOCK_TIMEOUT_S ({lock_timeout_s:g}s): "
            "beat extends its lock once per loop, and a lock that expires while beat "
            "sleeps stops the schedule"
        )


# The checks that tie one variable to others, as the configuration table states them
# (tests.unit.worker.settings_doc renders them beside each variable's own range). Keep a
# line here for every model validator below and for `worker.app.check_visibility_timeout`.
CROSS_FIELD_BOUNDS = {
    "snapchat_ads_live_mode": "true needs SNAPCHAT_ADS_CLIENT_ID and _CLIENT_SECRET",
    "snapfleet_broker_url": "amqp://, amqps:// or redis://; needs REDIS_URL",
    "redis_url": "redis://, rediss:// or unix://",
    "database_url": "postgresql:// or sqlite://",
    "snapfleet_visibility_timeout_s": "> SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S + "
    "SNAPFLEET_TASK_TIME_LIMIT_S (checked when the app is built)",
    "snapfleet_beat_max_loop_interval_s": "≤ SNAPFLEET_BEAT_LOCK_TIMEOUT_S / 3",
    "snapfleet_beat_lock_timeout_s": "≥ 3 x SNAPFLEET_BEAT_MAX_LOOP_INTERVAL_S",
    "snapfleet_journal_lease_s": "renewed every lease / 3 by the live attempt; a crash "
    "holds a key at most this long",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=None, case_sensitive=False, extra="ignore", frozen=True
    )

    # The names the dashboard's platform sets (seed 000), read as they are.
    snapchat_ads_client_id: str | None = Field(
        None, description="the OAuth app; required when live"
    )
    snapchat_ads_client_secret: SecretStr | None = Field(
        None, description="the OAuth app's secret; required when live (never logged)"
    )
    snapchat_ads_live_mode: bool = Field(
        False, description="true sends writes to Snap; otherwise they get synthetic dryrun- ids"
    )
    snapchat_ads_api_base_url: str = Field(
        "https://adsapi.snapchat.com/v1", description="the API (point it at `snapfleet sandbox`)"
    )
    snapchat_ads_oauth_url: str = Field(
        "https://accounts.snapchat.com/login/oauth2", description="the OAuth endpoints"
    )
    snapchat_ads_rate_limit_rps: int = Field(
        50, ge=1, description="the fleet's own budget per (client_id, ad_account_id)"
    )
    snapchat_ads_app_rps: int = Field(20, ge=0, description="Snap's per-app limit (0 = off)")
    snapchat_ads_token_rps: int = Field(
        10, ge=0, description="Snap's per-access-token limit (0 = off)"
    )
    redis_url: str | None = Field(
        None, description="broker, result backend and gate store; unset = embedded"
    )
    snapfleet_broker_url: str | None = Field(
        None,
        description="the broker when not Redis: amqp://user:pass@host:5672/vhost (RabbitMQ, "
        "redelivers a dead worker's messages at once); needs REDIS_URL (gate, locks, results)",
    )
    database_url: str | None = Field(
        None, description="postgresql://... for a fleet; unset = SQLite under SNAPFLEET_HOME"
    )
    snapfleet_encryption_key: SecretStr | None = Field(
        None, description="Fernet key, or several comma-separated (newest first) for rotation"
    )

    # The fleet's own knobs.
    snapfleet_home: Path = Field(
        Path("~/.snapfleet"), description="embedded mode: where the SQLite database lives"
    )
    snapfleet_http_timeout_s: float = Field(
        30.0, gt=0, description="read/write timeout of one Snap request"
    )
    snapfleet_http_connect_timeout_s: float = Field(
        5.0, gt=0, description="connect timeout of one Snap request"
    )
    snapfleet_client_max_attempts: int = Field(
        5, ge=1, le=20, description="the client's own attempts on 429/5xx/transport errors"
    )
    snapfleet_client_max_elapsed_s: float = Field(
        60.0, gt=0, description="the client's retry budget; longer waits go back to Celery"
    )
    snapfleet_gate_window_s: float = Field(1.0, gt=0, description="the gate's sliding window")
    snapfleet_gate_headroom: float = Field(
        0.9,
        gt=0,
        le=1,
        description="the share of Snap's per-app and per-token rates the gate grants; the "
        "rest absorbs the delay between a grant and the request reaching Snap",
    )
    snapfleet_sync_share: float = Field(
        0.7,
        gt=0,
        le=1,
        description="the part of the app and token windows polling may use; mutations may use all",
    )
    snapfleet_gate_max_inline_wait_s: float = Field(
        2.0, ge=0, description="waits up to this long inside the task; longer waits retry"
    )
    snapfleet_task_max_retries: int = Field(
        8, ge=0, description="Celery retries of a task after the client's own"
    )
    snapfleet_task_retry_backoff_max_s: int = Field(
        300, ge=1, description="cap of a Celery retry countdown"
    )
    snapfleet_task_time_limit_s: int = Field(
        300, ge=10, description="hard time limit of one task run"
    )
    snapfleet_visibility_timeout_s: int = Field(
        3600, ge=60, description="Redis redelivery timeout; must exceed countdown + time limit"
    )
    snapfleet_journal_max_attempts: int = Field(
        10,
        ge=1,
        description="attempts of one write that may end without an outcome (worker killed, "
        "timed out) before the journal says failed; gate waits and recorded errors don't count",
    )
    snapfleet_journal_lease_s: float = Field(
        30.0,
        ge=3,
        description="how long a dead attempt's journal key and create lock stay held; a live "
        "attempt renews both every third of it (heartbeat), however long it runs",
    )
    snapfleet_completer_idle_s: int = Field(
        900, ge=60, description="re-drive a mutation whose journal rows sat unfinished this long"
    )
    snapfleet_completer_period_s: int = Field(
        60,
        ge=30,
        description="beat: snap.journal.complete (the completer); with the journal lease, the "
        "longest a crashed node's tasks wait",
    )
    snapfleet_journal_retention_days: int = Field(
        30, ge=1, description="finished journal rows older than this are reaped (daily)"
    )
    snapfleet_reconcile_name_tag: bool = Field(
        False, description="tag created entity names with the op id (shows in Ads Manager)"
    )
    snapfleet_reconcile_skew_s: float = Field(
        300.0, ge=0, description="clock-skew allowance when matching a lost create's entity"
    )
    snapfleet_reconcile_recheck_s: float = Field(
        10.0,
        ge=0,
        description="a reconcile that finds nothing looks again after this long (at most "
        "SNAPFLEET_TASK_RETRY_BACKOFF_MAX_S) before re-sending a create (listings may lag; "
        "0 = send at once)",
    )
    snapfleet_stats_pull_period_s: int = Field(3600, ge=60, description="beat: snap.stats.pull_all")
    snapfleet_sync_period_s: int = Field(
        60, ge=5, description="beat: the polling plan's tick (snap.detect.run), event delivery"
    )
    snapfleet_plan_review_period_s: int = Field(
        300, ge=60, description="plan: ads of an account with ads in review or just written"
    )
    snapfleet_plan_spending_period_s: int = Field(
        900, ge=60, description="plan: ads of an account that spends (caps and rejections)"
    )
    snapfleet_plan_full_period_s: int = Field(
        3600, ge=300, description="plan: every account's campaigns, ad squads and ads"
    )
    snapfleet_plan_idle_stats_period_s: int = Field(
        21_600, ge=3600, description="plan: stats of an account that does not spend"
    )
    snapfleet_plan_status_period_s: int = Field(
        900, ge=60, description="plan: account status, one organization listing"
    )
    snapfleet_plan_written_window_s: int = Field(
        1800, ge=0, description="plan: an account the runner wrote to this recently is watched"
    )
    snapfleet_token_refresh_period_s: int = Field(
        300, ge=30, description="beat: snap.connection.refresh_due"
    )
    snapfleet_token_refresh_margin_s: int = Field(
        600, ge=0, description="refresh access tokens expiring within this"
    )
    snapfleet_oauth_state_ttl_s: int = Field(
        600, ge=30, le=86_400, description="how long an authorize state may be completed"
    )
    snapfleet_stats_granularity: Literal["DAY", "HOUR"] = Field(
        "DAY", description="granularity of the hourly pull"
    )
    snapfleet_stats_fields: str = Field(
        DEFAULT_STATS_FIELDS, description="metrics pulled (comma list)"
    )
    snapfleet_stats_breakdown_levels: str = Field(
        "campaign", description="comma list of campaign, adsquad, ad"
    )
    snapfleet_stats_lookback_days: int = Field(
        28, ge=1, le=400, description="first pull, and the bound of a re-pull (attribution window)"
    )
    snapfleet_swipe_up_attribution_window: Literal["1_DAY", "7_DAY", "28_DAY"] = Field(
        "28_DAY", description="sent with every stats request and stored with the rows"
    )
    snapfleet_view_attribution_window: Literal[
        "none", "1_HOUR", "3_HOUR", "6_HOUR", "1_DAY", "7_DAY", "28_DAY"
    ] = Field("1_DAY", description="sent with every stats request and stored with the rows")
    snapfleet_action_report_time: Literal["conversion", "impression"] = Field(
        "conversion", description="sent with every stats request and stored with the rows"
    )
    snapfleet_fx_rates: str | None = Field(
        None, description='static FX table as JSON: {"EUR": 1.08} or {"EUR": {"2026-11-01": 1.08}}'
    )
    snapfleet_fx_url: str | None = Field(
        ECB_REFERENCE_RATES_URL,
        description="ECB-format reference-rate feed (the ECB's own by default; off = none)",
    )
    snapfleet_events_task: str = Field(
        "growth.snap_event", description="task name events are delivered to"
    )
    snapfleet_events_queue: str = Field("growth", description="queue events are delivered on")
    snapfleet_beat_lock_timeout_s: int = Field(
        180, ge=3, description="redbeat lock: a standby beat takes over after this"
    )
    snapfleet_beat_max_loop_interval_s: int = Field(
        30,
        ge=1,
        description="beat wakes at least this often to extend its lock; at most a third of "
        "SNAPFLEET_BEAT_LOCK_TIMEOUT_S",
    )
    snapfleet_media_allow_private_urls: bool = Field(
        False, description="let snap.media.upload download from private/loopback addresses"
    )
    snapfleet_media_roots: str | None = Field(
        None, description="comma-separated directories snap.media.upload may read file_path from"
    )
    snapfleet_metrics_port: int = Field(
        9808, ge=0, le=65535, description="a worker's Prometheus /metrics port (0 = off)"
    )
    snapfleet_metrics_addr: str = Field(
        "0.0.0.0",  # noqa: S104 (Prometheus scrapes it from another host; no secret in it)
        description="the interface a worker's /metrics listens on",
    )
    snapfleet_log_format: Literal["text", "json"] = Field(
        "text", description="json (one object per line) for fleets, text on a terminal"
    )

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("snapfleet_broker_url")
    @classmethod
    def _broker_scheme(cls, value: str | None) -> str | None:
        schemes = ("amqp://", "amqps://", "pyamqp://", "redis://", "rediss://")
        if value and not value.startswith(schemes):
            raise ValueError("SNAPFLEET_BROKER_URL must be an amqp://, amqps:// or redis:// URL")
        return value or None

    @model_validator(mode="after")
    def _broker_needs_redis(self) -> Settings:
        if self.snapfleet_broker_url and not self.redis_url:
            raise ValueError(
                "SNAPFLEET_BROKER_URL needs REDIS_URL too: Redis stays the gate, lock store and "
                "result backend whatever the broker"
            )
        return self

    @field_validator("database_url")
    @classmethod
    def _database_driver(cls, value: str | None) -> str | None:
        if not value:
            return None
        for plain in ("postgresql://", "postgres://"):
            if value.startswith(plain):
                return "postgresql+psycopg://" + value[len(plain) :]
        if not value.startswith(("postgresql+psycopg://", "sqlite://")):
            raise ValueError("DATABASE_URL must be a postgresql:// or sqlite:// URL")
        return value

    @field_validator("snapchat_ads_api_base_url", "snapchat_ads_oauth_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("snapfleet_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        for key in value.get_secret_value().split(","):
            try:
                Fernet(key.strip())
            except (ValueError, TypeError):
                raise ValueError(
                    "SNAPFLEET_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
                    "(make one with `snapfleet keygen`)"
                ) from None
        return value

    @field_validator("snapfleet_fx_rates")
    @classmethod
    def _fx_json(cls, value: str | None) -> str | None:
        if value:
            try:
                table = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"SNAPFLEET_FX_RATES is not JSON: {exc.msg}") from None
            if not isinstance(table, dict):
                raise ValueError("SNAPFLEET_FX_RATES must be a JSON object keyed by currency")
        return value

    @field_validator("snapfleet_fx_url")
    @classmethod
    def _fx_feed(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in ("", "off", "none"):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("SNAPFLEET_FX_URL must be an http(s):// URL, or off")
        return value

    @field_validator("snapfleet_stats_breakdown_levels")
    @classmethod
    def _levels(cls, value: str) -> str:
        levels = [v.strip() for v in value.split(",") if v.strip()]
        unknown = set(levels) - {"campaign", "adsquad", "ad"}
        if unknown or not levels:
            raise ValueError("SNAPFLEET_STATS_BREAKDOWN_LEVELS takes campaign, adsquad, ad")
        return ",".join(levels)

    @model_validator(mode="after")
    def _live_needs_credentials(self) -> Settings:
        if self.snapchat_ads_live_mode and not (
            self.snapchat_ads_client_id and self.snapchat_ads_client_secret
        ):
            raise ValueError(
                "SNAPCHAT_ADS_LIVE_MODE=true needs SNAPCHAT_ADS_CLIENT_ID and "
                "SNAPCHAT_ADS_CLIENT_SECRET"
            )
        return self

    @model_validator(mode="after")
    def _beat_extends_its_lock_in_time(self) -> Settings:
        check_loop_interval(
            self.snapfleet_beat_max_loop_interval_s, self.snapfleet_beat_lock_timeout_s
        )
        return self

    # Derived values.

    @property
    def embedded(self) -> bool:
        """True when the fleet runs on one machine without Redis."""
        return self.redis_url is None

    @property
    def broker_url(self) -> str | None:
        """The broker of a fleet: SNAPFLEET_BROKER_URL, else REDIS_URL (None embedded)."""
        return self.snapfleet_broker_url or self.redis_url

    @property
    def broker_is_redis(self) -> bool:
        return bool(self.broker_url and self.broker_url.startswith(("redis://", "rediss://")))

    @property
    def home(self) -> Path:
        return self.snapfleet_home.expanduser()

    @property
    def database(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL, or SQLite under SNAPFLEET_HOME."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'snapfleet.sqlite3'}"

    @property
    def encryption_keys(self) -> list[str]:
        if self.snapfleet_encryption_key is None:
            return []
        raw = self.snapfleet_encryption_key.get_secret_value()
        return [k.strip() for k in raw.split(",") if k.strip()]

    @property
    def stats_fields(self) -> list[str]:
        return [f.strip() for f in self.snapfleet_stats_fields.split(",") if f.strip()]

    @property
    def media_roots(self) -> list[Path]:
        raw = self.snapfleet_media_roots or ""
        return [Path(p.strip()) for p in raw.split(",") if p.strip()]

    @property
    def stats_breakdown_levels(self) -> list[str]:
        return self.snapfleet_stats_breakdown_levels.split(",")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests call `get_settings.cache_clear()`."""
    return Settings()
