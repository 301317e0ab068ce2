"""Is a treatment's swipe rate different from the control's? A two-proportion z-test.

The closed form, not scipy or statsmodels: the test is five lines of arithmetic and
`math.erfc` gives the normal tail exactly, so a dependency of tens of megabytes would add
nothing (statsmodels' `proportions_ztest` with the pooled variance computes the same z).

    p_c = swipes_c / n_c,  p_t = swipes_t / n_t,  p = (swipes_c + swipes_t) / (n_c + n_t)
    z = (p_t - p_c) / sqrt(p (1 - p) (1/n_c + 1/n_t))
    p_value = erfc(|z| / sqrt(2))                      (two-sided)

The normal approximation needs enough successes and failures in both groups; the caller
refuses to call a winner below its minimum sample (`min_swipes`, `min_impressions`).
With several treatments each is held to `alpha / treatments` (Bonferroni), so running
more variants does not make a false winner more likely.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    """One treatment against the control."""

    control_rate: float
    treatment_rate: float
    z: float | None
    p_value: float | None
    lift: float | None  # relative: (treatment - control) / control

    def to_dict(self) -> dict[str, float | None]:
        return {
            "control_swipe_rate": round(self.control_rate, 6),
            "treatment_swipe_rate": round(self.treatment_rate, 6),
            "z": None if self.z is None else round(self.z, 4),
            "p_value": None if self.p_value is None else round(self.p_value, 6),
            "lift": None if self.lift is None else round(self.lift, 4),
        }


def rate(successes: int, trials: int) -> float:
    return successes / trials if trials else 0.0


def two_proportion_z(
    control_successes: int, control_trials: int, treatment_successes: int, treatment_trials: int
) -> Comparison:
    """The pooled two-proportion z-test; z and p are None when it is undefined."""
    p_c = rate(control_successes, control_trials)
    p_t = rate(treatment_successes, treatment_trials)
    lift = (p_t - p_c) / p_c if p_c else None
    if not control_trials or not treatment_trials:
        return Comparison(p_c, p_t, None, None, lift)
    pooled = (control_successes + treatment_successes) / (control_trials + treatment_trials)
    variance = pooled * (1 - pooled) * (1 / control_trials + 1 / treatment_trials)
    if variance <= 0:  # no swipes at all, or every impression swiped: nothing to compare
        return Comparison(p_c, p_t, None, None, lift)
    z = (p_t - p_c) / math.sqrt(variance)
    return Comparison(p_c, p_t, z, math.erfc(abs(z) / math.sqrt(2)), lift)
