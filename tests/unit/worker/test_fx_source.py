"""The default FX source is one production can reach: the ECB's reference-rate feed."""

from __future__ import annotations

import pytest

from worker.fx import ECB_HIST_90D_URL, ReferenceRateProvider, UsdOnly, rate_provider_from_settings
from worker.settings import Settings


def test_a_fleet_reads_the_ecb_feed_unless_told_otherwise(
    clean_settings: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SNAPFLEET_FX_URL", raising=False)
    settings = Settings()
    # Ninety days: a first pull's 28-day lookback finds a rate for every day it stores.
    assert settings.snapfleet_fx_url == ECB_HIST_90D_URL
    provider = rate_provider_from_settings(settings)
    assert not isinstance(provider, UsdOnly)
    assert any(isinstance(p, ReferenceRateProvider) for p in getattr(provider, "providers", []))


@pytest.mark.parametrize("off", ["off", "", "none"])
def test_off_means_no_feed(off: str, clean_settings: None) -> None:
    assert Settings(snapfleet_fx_url=off).snapfleet_fx_url is None


def test_a_feed_that_is_not_http_is_refused(clean_settings: None) -> None:
    with pytest.raises(ValueError, match="SNAPFLEET_FX_URL"):
        Settings(snapfleet_fx_url="ftp://rates")
