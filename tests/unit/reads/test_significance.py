"""The two-proportion z-test behind snap.experiment.results, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from worker.reads.significance import two_proportion_z


def test_a_clear_difference_is_significant() -> None:
    # 1.0% vs 1.5% swipe rate on 10,000 impressions each: pooled p = 0.0125,
    # se = sqrt(0.0125 * 0.9875 * 2 / 10000) = 0.0015712, z = 0.005 / se = 3.1823
    result = two_proportion_z(100, 10_000, 150, 10_000)
    assert result.z == pytest.approx(3.1823, abs=1e-4)
    assert result.p_value == pytest.approx(math.erfc(3.1823 / math.sqrt(2)), rel=1e-3)
    assert result.p_value < 0.01
    assert result.lift == pytest.approx(0.5)


def test_a_small_difference_on_small_samples_is_not() -> None:
    result = two_proportion_z(9, 812, 14, 790)
    assert result.p_value is not None and result.p_value > 0.05


def test_the_sign_says_which_arm_is_ahead() -> None:
    assert two_proportion_z(150, 10_000, 100, 10_000).z == pytest.approx(-3.1823, abs=1e-4)


@pytest.mark.parametrize(
    ("control", "treatment"), [((0, 100), (0, 100)), ((0, 0), (5, 10)), ((10, 10), (10, 10))]
)
def test_no_test_without_variance_or_samples(
    control: tuple[int, int], treatment: tuple[int, int]
) -> None:
    result = two_proportion_z(*control, *treatment)
    assert (result.z, result.p_value) == (None, None)
