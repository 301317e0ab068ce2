"""Experiments and their variants (one ad squad per variant under one campaign)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.errors import NotFound
from storage.models.base import utcnow
from storage.models.experiments import Experiment, Variant
from storage.upsert import dialect_insert

ROLES = ("control", "treatment")


def create(
    session: Session,
    *,
    experiment_id: str,
    ad_account_id: str,
    name: str,
    variants: Sequence[Mapping[str, Any]],
    campaign_id: str | None = None,
    status: str = "draft",
) -> Experiment:
    """Store an experiment; each variant is a mapping with name, role and optional
    ad_squad_id, creative_id, status. Exactly one variant is the control."""
    controls = [v for v in variants if v.get("role") == "control"]
    if len(controls) != 1:
        raise ValueError(f"experiment {name!r} needs exactly one control variant")
    experiment = Experiment(
        id=experiment_id,
        ad_account_id=ad_account_id,
        campaign_id=campaign_id,
        name=name,
        status=status,
    )
    experiment.variants = [_variant(v) for v in variants]
    session.add(experiment)
    session.flush()
    return experiment


def claim_launch(
    session: Session,
    *,
    experiment_id: str,
    ad_account_id: str,
    task_id: str,
    name: str,
    variants: Sequence[Mapping[str, Any]],
    status: str = "launching",
) -> Experiment:
    """Take the launch of an experiment for one task, or learn who has it.

    One `INSERT ... ON CONFLICT DO NOTHING`: of two tasks launching the same experiment
    at once exactly one stores it (with its variants); every claimant reads back the
    stored row and compares `launched_by_task_id` with its own task id.
    """
    if len([v for v in variants if v.get("role") == "control"]) != 1:
        raise ValueError(f"experiment {name!r} needs exactly one control variant")
    now = utcnow()
    row = dict(
        id=experiment_id, ad_account_id=ad_account_id, name=name, status=status,
        launched_by_task_id=task_id, created_at=now, updated_at=now,
    )  # fmt: skip
    stmt = dialect_insert(session, Experiment.__table__).values(**row)
    claimed = stmt.on_conflict_do_nothing(index_elements=["id"]).returning(Experiment.id)
    if session.execute(claimed).scalar_one_or_none() is not None:  # this call inserted it
        for spec in variants:
            variant = _variant(spec)
            variant.experiment_id = experiment_id
            session.add(variant)
        session.flush()
    return get(session, experiment_id)


def set_campaign(session: Session, experiment_id: str, campaign_id: str) -> Experiment:
    experiment = get(session, experiment_id)
    experiment.campaign_id = campaign_id
    session.flush()
    return experiment


def _variant(spec: Mapping[str, Any]) -> Variant:
    if spec.get("role") not in ROLES:
        raise ValueError(f"variant {spec.get('name')!r}: role must be control or treatment")
    default = "ACTIVE" if spec["role"] == "control" else "PAUSED"
    return Variant(
        name=spec["name"],
        role=spec["role"],
        ad_squad_id=spec.get("ad_squad_id"),
        creative_id=spec.get("creative_id"),
        status=spec.get("status", default),
    )


def get(session: Session, experiment_id: str) -> Experiment:
    stmt = (
        select(Experiment)
        .where(Experiment.id == experiment_id)
        .options(selectinload(Experiment.variants))
        .execution_options(populate_existing=True)
    )
    found = session.scalars(stmt).one_or_none()
    if found is None:
        raise NotFound(f"experiment {experiment_id} does not exist")
    return found


def variant(session: Session, experiment_id: str, name: str) -> Variant:
    stmt = select(Variant).where(Variant.experiment_id == experiment_id, Variant.name == name)
    found = session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()
    if found is None:
        raise NotFound(f"experiment {experiment_id} has no variant {name!r}")
    return found


def set_variant(
    session: Session,
    experiment_id: str,
    name: str,
    *,
    status: str | None = None,
    ad_squad_id: str | None = None,
    creative_id: str | None = None,
) -> Variant:
    """Record a variant's Snap ids once created, or its status once toggled."""
    row = variant(session, experiment_id, name)
    if status is not None:
        row.status = status
    if ad_squad_id is not None:
        row.ad_squad_id = ad_squad_id
    if creative_id is not None:
        row.creative_id = creative_id
    session.flush()
    return row


def set_status(session: Session, experiment_id: str, status: str) -> Experiment:
    row = get(session, experiment_id)
    row.status = status
    session.flush()
    return row


def by_campaign(session: Session, campaign_id: str) -> Experiment | None:
    stmt = select(Experiment).where(Experiment.campaign_id == campaign_id)
    return session.scalars(stmt.options(selectinload(Experiment.variants))).first()


def campaign_ids_for_account(session: Session, ad_account_id: str) -> list[str]:
    """The campaigns of an ad account that hold an experiment (their ad squads are variants)."""
    stmt = select(Experiment.campaign_id).where(
        Experiment.ad_account_id == ad_account_id, Experiment.campaign_id.is_not(None)
    )
    return sorted({str(c) for c in session.scalars(stmt)})
