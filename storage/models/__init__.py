"""Every table of the fleet; importing this module registers them all on `Base.metadata`."""

from __future__ import annotations

from storage.models.accounts import AdAccount, Organization, StatsMode
from storage.models.base import Base
from storage.models.connections import Connection, ConnectionState
from storage.models.events import Event
from storage.models.experiments import Experiment, Variant
from storage.models.journal import TERMINAL_STATES, JournalEntry, JournalState
from storage.models.mirrors import Ad, AdSquad, Campaign, Creative, Media
from storage.models.onboarding import AuthorizationState, StatsBackfill
from storage.models.receipts import TaskReceipt
from storage.models.stats import DailyStat, FxRate, HourlyStat, StatsFinality

__all__ = [
    "TERMINAL_STATES",
    "Ad",
    "AdAccount",
    "AdSquad",
    "AuthorizationState",
    "Base",
    "Campaign",
    "Connection",
    "ConnectionState",
    "Creative",
    "DailyStat",
    "Event",
    "Experiment",
    "FxRate",
    "HourlyStat",
    "JournalEntry",
    "JournalState",
    "Media",
    "Organization",
    "StatsBackfill",
    "StatsFinality",
    "StatsMode",
    "TaskReceipt",
    "Variant",
]
