"""snap.experiment.launch and snap.experiment.set_variant_status (seed 000, Experiments).

One campaign (given, or created ACTIVE), one ad squad per variant with its own targeting
and budget, and one ad per variant binding its creative. The control's ad squad ships
ACTIVE, the treatments' PAUSED: the ad squad is the variant's one switch
(`ExperimentLaunch.ad_item`), which `set_variant_status` toggles.

Every entity is its own journaled step (`campaign`, `adsquad:<variant>`, `ad:<variant>`),
so a retry of the launch replays what was made and resumes where it stopped; the names
are `<experiment_id>:<variant>`, what reconcile matches after a lost answer. The
referenced creatives (and a given campaign) are read first: a missing one fails as
`not_found` naming its field before anything is written. The experiment and its
variants are stored (`storage.experiments`) before any write, claimed by the launching
task: `launching` while entities are made, `running` once every variant has its ad.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from snap.dryrun import is_dry_run_id
from snap.errors import NotFound
from storage import experiments as experiment_repo
from storage.errors import NotFound as StoredNotFound
from tasks.mutations.ads import create_ad
from tasks.mutations.adsquads import create_ad_squad
from tasks.mutations.campaigns import create_campaign
from tasks.payloads import ExperimentLaunch, ExperimentSetVariantStatus, Variant
from worker.errors import Code, TaskFailed
from worker.mutations.task import Mutation, MutationTask
from worker.mutations.writes import Done
from worker.results import failed

LAUNCHING, RUNNING = "launching", "running"


@shared_task(
    bind=True, base=MutationTask, name="snap.experiment.launch", payload_model=ExperimentLaunch
)
def launch(self: MutationTask, m: Mutation) -> dict[str, Any]:
    p: ExperimentLaunch = m.payload
    creative_types = _check_references(m, p)
    already = _claim_launch(m, p)
    if already is not None:
        return already
    campaign_id = p.campaign_id or _create_campaign(m, p)
    _store(m, lambda s: experiment_repo.set_campaign(s, p.experiment_id, campaign_id))
    variants = {
        v.name: _launch_variant(m, p, v, campaign_id, creative_types[v.creative_id])
        for v in p.variants
    }
    _store(m, lambda s: experiment_repo.set_status(s, p.experiment_id, RUNNING))
    return m.succeeded(
        None, experiment_id=p.experiment_id, campaign_id=campaign_id, variants=variants
    )


def _launch_variant(
    m: Mutation, p: ExperimentLaunch, v: Variant, campaign_id: str, creative_type: str | None
) -> dict[str, Any]:
    """The variant's ad squad, then its ad; both recorded on the stored variant."""
    squad = _create_ad_squad(m, p, v, campaign_id)
    assert squad.snap_id is not None
    ad = _create_ad(m, p, v, squad.snap_id, creative_type)
    _store(
        m,
        lambda s: experiment_repo.set_variant(
            s, p.experiment_id, v.name, ad_squad_id=squad.snap_id, creative_id=v.creative_id
        ),
    )
    return {"ad_squad_id": squad.snap_id, "ad_id": ad.snap_id, "status": v.status}


# --- Checks before any write ---------------------------------------------------------------


def _check_references(m: Mutation, p: ExperimentLaunch) -> dict[str, str | None]:
    """Every variant's creative (and a given campaign) exists in this account: id -> type."""
    if p.campaign_id is not None:
        _read_or_not_found(m, "campaign_id", p.campaign_id, m.client.get_campaign, "campaign")
    types: dict[str, str | None] = {}
    for index, v in enumerate(p.variants):
        if v.creative_id not in types:
            field = f"variants.{index}.creative_id"
            creative = _read_or_not_found(
                m, field, v.creative_id, m.client.get_creative, "creative"
            )
            types[v.creative_id] = getattr(creative, "type", None)
    return types


def _read_or_not_found(m: Mutation, field: str, entity_id: str, get: Any, what: str) -> Any:
    if m.dry_run and is_dry_run_id(entity_id):
        return None  # made in this dry run: it never reached Snap
    try:
        entity = get(entity_id)
    except NotFound as exc:
        raise TaskFailed(_not_found(m, field, entity_id, what), cause=exc) from exc
    if getattr(entity, "ad_account_id", None) not in (None, m.ad_account_id):
        raise TaskFailed(_not_found(m, field, entity_id, what))
    return entity


def _not_found(m: Mutation, field: str, entity_id: str, what: str) -> dict[str, Any]:
    return failed(
        Code.NOT_FOUND,
        f"{field}: {what} {entity_id} not found in ad account {m.ad_account_id}",
        field=field,
    )


# --- Storage ------------------------------------------------------------------------------


def _store(m: Mutation, change: Any) -> Any:
    with m.runtime.session() as session:
        return change(session)


def _claim_launch(m: Mutation, p: ExperimentLaunch) -> dict[str, Any] | None:
    """Make this task the experiment's one launcher, or answer for the one that is.

    The claim is one insert-if-absent before any write (`storage.experiments`), so two
    tasks launching one experiment at once never make two sets of ad squads. This task's
    own claim (a new launch, or a retry of it) proceeds; a launch another task finished
    answers with its ids; one another task is still making is a conflict.
    """
    with m.runtime.session() as session:
        stored = experiment_repo.claim_launch(
            session,
            experiment_id=p.experiment_id,
            ad_account_id=m.ad_account_id,
            task_id=m.context.task_id,
            name=p.campaign.name if p.campaign else p.experiment_id,
            variants=[{"name": v.name, "role": v.role, "status": v.status} for v in p.variants],
            status=LAUNCHING,
        )
        if stored.ad_account_id != m.ad_account_id:
            raise TaskFailed(
                failed(
                    Code.CONFLICT,
                    f"experiment_id: {p.experiment_id} belongs to ad account "
                    f"{stored.ad_account_id}",
                    field="experiment_id",
                )
            )
        if stored.launched_by_task_id == m.context.task_id:
            return None
        if stored.status == RUNNING:
            return m.succeeded(
                None,
                experiment_id=stored.id,
                campaign_id=stored.campaign_id,
                already_launched=True,
                variants={
                    v.name: {"ad_squad_id": v.ad_squad_id, "status": v.status}
                    for v in stored.variants
                },
            )
    raise TaskFailed(
        failed(
            Code.CONFLICT,
            f"experiment_id: {p.experiment_id} is being launched by another task; re-send "
            "that task (same task id) to resume it",
            field="experiment_id",
        )
    )


# --- The writes ---------------------------------------------------------------------------


def _create_campaign(m: Mutation, p: ExperimentLaunch) -> str:
    done = create_campaign(m, "campaign", p.campaign_item(m.to_micro))
    assert done.snap_id is not None
    return done.snap_id


def _create_ad_squad(m: Mutation, p: ExperimentLaunch, v: Variant, campaign_id: str) -> Done:
    item = p.ad_squad_item(v, campaign_id=campaign_id, to_micro=m.to_micro)
    return create_ad_squad(m, f"adsquad:{v.name}", item, campaign_id)


def _create_ad(
    m: Mutation, p: ExperimentLaunch, v: Variant, ad_squad_id: str, creative_type: str | None
) -> Done:
    item = p.ad_item(v, ad_squad_id=ad_squad_id)
    return create_ad(m, f"ad:{v.name}", item, ad_squad_id, creative_type)


# --- Toggling a variant -------------------------------------------------------------------


@shared_task(
    bind=True,
    base=MutationTask,
    name="snap.experiment.set_variant_status",
    payload_model=ExperimentSetVariantStatus,
)
def set_variant_status(self: MutationTask, m: Mutation) -> dict[str, Any]:
    """Turn one variant's ad squad ACTIVE or PAUSED (read-modify-write), then store it."""
    p: ExperimentSetVariantStatus = m.payload
    ad_squad_id = _variant_ad_squad(m, p)
    done = m.read_modify_write(
        "adsquads",
        ad_squad_id,
        get=m.client.get_ad_squad,
        build=lambda current: p.to_snap_item(current=current),
        send=lambda current, item, key: m.client.update_ad_squads(
            current["campaign_id"], [item], idempotency_key=key, currency=m.account.currency
        )[0],
    )
    _store(
        m,
        lambda s: experiment_repo.set_variant(s, p.experiment_id, p.variant_name, status=p.status),
    )
    return m.succeeded(done, variant_status=p.status)


def _variant_ad_squad(m: Mutation, p: ExperimentSetVariantStatus) -> str:
    """The variant's ad squad id, or `not_found` naming the field that does not match."""
    with m.runtime.session() as session:
        try:
            experiment = experiment_repo.get(session, p.experiment_id)
            variant = experiment_repo.variant(session, p.experiment_id, p.variant_name)
        except StoredNotFound as exc:
            field = "variant_name" if "variant" in str(exc) else "experiment_id"
            raise TaskFailed(failed(Code.NOT_FOUND, f"{field}: {exc}", field=field)) from exc
        if experiment.ad_account_id != m.ad_account_id:
            raise TaskFailed(
                failed(
                    Code.NOT_FOUND,
                    f"experiment_id: {p.experiment_id} is not an experiment of ad account "
                    f"{m.ad_account_id}",
                    field="experiment_id",
                )
            )
        if variant.ad_squad_id is None:
            raise TaskFailed(
                failed(
                    Code.NOT_LAUNCHED,
                    f"variant_name: {p.variant_name} has no ad squad yet: finish "
                    "snap.experiment.launch first",
                    field="variant_name",
                )
            )
        return variant.ad_squad_id
