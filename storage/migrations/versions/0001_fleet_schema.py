"""the fleet schema: connections, accounts, mirrors, stats, fx, journal, events, experiments

Revision ID: 0001
Revises:
Create Date: 2026-11-23 16:16:45.908470
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=128), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("snap_user_id", sa.String(length=64), nullable=True),
        sa.Column("refresh_token_ciphertext", sa.Text(), nullable=True),
        sa.Column("access_token_ciphertext", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_locked_by", sa.String(length=128), nullable=True),
        sa.Column("refresh_locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reauth_reason", sa.Text(), nullable=True),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disconnected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('active', 'needs_reauth', 'disconnected')",
            name=op.f("ck_connections_state_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint("tenant_id", "client_id", name="uq_connections_tenant_client"),
    )
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transition_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("last_delivery_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("transition_key", name=op.f("uq_events_transition_key")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_ad_account_id"), ["ad_account_id"], unique=False
        )
        batch_op.create_index(
            "ix_events_undelivered", ["delivered_at", "detected_at"], unique=False
        )

    op.create_table(
        "experiments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiments_ad_account_id"), ["ad_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experiments_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "fx_rates",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "rate_to_usd", sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("currency", "day", name=op.f("pk_fx_rates")),
    )
    op.create_table(
        "mutation_journal",
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=155), nullable=False),
        sa.Column("task_name", sa.String(length=128), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=True),
        sa.Column("request_digest", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=128), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "snap_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "fx_rate", sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'in_flight', 'succeeded', 'failed', "
            "'quota_unavailable', 'unknown')",
            name=op.f("ck_mutation_journal_state_known"),
        ),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_mutation_journal")),
    )
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mutation_journal_account_created", ["ad_account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_mutation_journal_state_updated", ["state", "updated_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mutation_journal_task_id"), ["task_id"], unique=False)

    op.create_table(
        "stats_daily",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("attribution", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("spend_micro", sa.BigInteger(), nullable=True),
        sa.Column(
            "fx_rate", sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"), nullable=True
        ),
        sa.Column("spend_usd_micro", sa.BigInteger(), nullable=True),
        sa.Column("fx_missing", sa.Boolean(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("swipes", sa.BigInteger(), nullable=True),
        sa.Column("view_completion", sa.BigInteger(), nullable=True),
        sa.Column(
            "conversion_purchases",
            sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"),
            nullable=True,
        ),
        sa.Column("conversion_purchases_value_micro", sa.BigInteger(), nullable=True),
        sa.Column(
            "extra",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entity_type IN ('ad_account', 'campaign', 'ad_squad', 'ad')",
            name=op.f("ck_stats_daily_entity_type_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_daily")),
        sa.UniqueConstraint(
            "entity_type", "entity_id", "day", "attribution", name="uq_stats_daily_entity_day"
        ),
    )
    with op.batch_alter_table("stats_daily", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stats_daily_ad_account_id"), ["ad_account_id"], unique=False
        )
        batch_op.create_index(
            "ix_stats_daily_fx_missing", ["fx_missing", "currency", "day"], unique=False
        )

    op.create_table(
        "stats_hourly",
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("attribution", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("spend_micro", sa.BigInteger(), nullable=True),
        sa.Column(
            "fx_rate", sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"), nullable=True
        ),
        sa.Column("spend_usd_micro", sa.BigInteger(), nullable=True),
        sa.Column("fx_missing", sa.Boolean(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("swipes", sa.BigInteger(), nullable=True),
        sa.Column("view_completion", sa.BigInteger(), nullable=True),
        sa.Column(
            "conversion_purchases",
            sa.Numeric(20, 10).with_variant(sa.String(40), "sqlite"),
            nullable=True,
        ),
        sa.Column("conversion_purchases_value_micro", sa.BigInteger(), nullable=True),
        sa.Column(
            "extra",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "entity_type IN ('ad_account', 'campaign', 'ad_squad', 'ad')",
            name=op.f("ck_stats_hourly_entity_type_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_hourly")),
        sa.UniqueConstraint(
            "entity_type",
            "entity_id",
            "start_time",
            "attribution",
            name="uq_stats_hourly_entity_start",
        ),
    )
    with op.batch_alter_table("stats_hourly", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stats_hourly_ad_account_id"), ["ad_account_id"], unique=False
        )
        batch_op.create_index(
            "ix_stats_hourly_fx_missing", ["fx_missing", "currency", "day"], unique=False
        )

    op.create_table(
        "experiment_variants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("experiment_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("ad_squad_id", sa.String(length=64), nullable=True),
        sa.Column("creative_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('control', 'treatment')", name=op.f("ck_experiment_variants_role_known")
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_variants_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_variants")),
        sa.UniqueConstraint("experiment_id", "name", name="uq_experiment_variants_name"),
    )
    with op.batch_alter_table("experiment_variants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_variants_ad_squad_id"), ["ad_squad_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experiment_variants_experiment_id"), ["experiment_id"], unique=False
        )

    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_organizations_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organizations_connection_id"), ["connection_id"], unique=False
        )

    op.create_table(
        "ad_accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "delivery_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("rate_limit_rps", sa.Integer(), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finalized_data_end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversion_data_processed_end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stats_mode", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stats_mode IS NULL OR stats_mode IN ('account_breakdown', 'campaign_breakdown')",
            name=op.f("ck_ad_accounts_stats_mode_known"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_ad_accounts_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_ad_accounts_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_accounts")),
    )
    with op.batch_alter_table("ad_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ad_accounts_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ad_accounts_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "ad_squads",
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column(
            "delivery_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("daily_budget_micro", sa.BigInteger(), nullable=True),
        sa.Column("lifetime_budget_micro", sa.BigInteger(), nullable=True),
        sa.Column("bid_micro", sa.BigInteger(), nullable=True),
        sa.Column("optimization_goal", sa.String(length=64), nullable=True),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_ad_squads_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ad_squads")),
    )
    with op.batch_alter_table("ad_squads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ad_squads_ad_account_id"), ["ad_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ad_squads_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "ads",
        sa.Column("ad_squad_id", sa.String(length=64), nullable=True),
        sa.Column("creative_id", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column(
            "delivery_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("review_status", sa.String(length=32), nullable=True),
        sa.Column(
            "review_status_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_ads_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads")),
    )
    with op.batch_alter_table("ads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ads_ad_account_id"), ["ad_account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ads_ad_squad_id"), ["ad_squad_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ads_creative_id"), ["creative_id"], unique=False)

    op.create_table(
        "campaigns",
        sa.Column("objective", sa.String(length=64), nullable=True),
        sa.Column(
            "delivery_status",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("daily_budget_micro", sa.BigInteger(), nullable=True),
        sa.Column("lifetime_spend_cap_micro", sa.BigInteger(), nullable=True),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_campaigns_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaigns_ad_account_id"), ["ad_account_id"], unique=False
        )

    op.create_table(
        "creatives",
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("review_status", sa.String(length=32), nullable=True),
        sa.Column("top_snap_media_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_creatives_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creatives")),
    )
    with op.batch_alter_table("creatives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creatives_ad_account_id"), ["ad_account_id"], unique=False
        )

    op.create_table(
        "media",
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("media_status", sa.String(length=32), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column(
            "raw",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("snap_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snap_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ad_account_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ad_account_id"],
            ["ad_accounts.id"],
            name=op.f("fk_media_ad_account_id_ad_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_ad_account_id"), ["ad_account_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_ad_account_id"))

    op.drop_table("media")
    with op.batch_alter_table("creatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creatives_ad_account_id"))

    op.drop_table("creatives")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaigns_ad_account_id"))

    op.drop_table("campaigns")
    with op.batch_alter_table("ads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ads_creative_id"))
        batch_op.drop_index(batch_op.f("ix_ads_ad_squad_id"))
        batch_op.drop_index(batch_op.f("ix_ads_ad_account_id"))

    op.drop_table("ads")
    with op.batch_alter_table("ad_squads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_squads_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_ad_squads_ad_account_id"))

    op.drop_table("ad_squads")
    with op.batch_alter_table("ad_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ad_accounts_organization_id"))
        batch_op.drop_index(batch_op.f("ix_ad_accounts_connection_id"))

    op.drop_table("ad_accounts")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_connection_id"))

    op.drop_table("organizations")
    with op.batch_alter_table("experiment_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_variants_experiment_id"))
        batch_op.drop_index(batch_op.f("ix_experiment_variants_ad_squad_id"))

    op.drop_table("experiment_variants")
    with op.batch_alter_table("stats_hourly", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_hourly_fx_missing")
        batch_op.drop_index(batch_op.f("ix_stats_hourly_ad_account_id"))

    op.drop_table("stats_hourly")
    with op.batch_alter_table("stats_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_daily_fx_missing")
        batch_op.drop_index(batch_op.f("ix_stats_daily_ad_account_id"))

    op.drop_table("stats_daily")
    with op.batch_alter_table("mutation_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mutation_journal_task_id"))
        batch_op.drop_index("ix_mutation_journal_state_updated")
        batch_op.drop_index("ix_mutation_journal_account_created")

    op.drop_table("mutation_journal")
    op.drop_table("fx_rates")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiments_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_experiments_ad_account_id"))

    op.drop_table("experiments")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_undelivered")
        batch_op.drop_index(batch_op.f("ix_events_ad_account_id"))

    op.drop_table("events")
    op.drop_table("connections")
