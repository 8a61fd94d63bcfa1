"""The regression estimator on games with a known answer (no models: fast).

Each game is given by its Möbius coefficients, so its Shapley values and
pairwise Shapley interaction index (SII) are known in closed form:
``phi_i = sum_{T ∋ i} a(T) / |T|`` and ``SII_ij = sum_{T ⊇ ij} a(T) / (|T| - 1)``.
"""

from itertools import combinations

import numpy as np
import pytest

from skfeat.explain._enumeration import all_masks, enumerate_indices
from skfeat.explain._regression import (
    _border_sizes,
    make_design,
    regression_estimate,
    unstack,
)


def _game(m, orders, rng, n_rows=3):
    """Rows of random Möbius coefficients of the given orders; (table, phi, sii)."""
    sets = [T for d in orders for T in combinations(range(m), d)]
    scale = {1: 1.0, 2: 0.3, 3: 0.1, 4: 0.03, 5: 0.01}
    coef = np.array(
        [[rng.normal(scale=scale[len(T)]) for T in sets] for _ in range(n_rows)]
    )
    masks = all_masks(m)
    table = np.zeros((n_rows, len(masks)))
    phi = np.zeros((n_rows, m))
    sii = np.zeros((n_rows, m, m))
    for k, T in enumerate(sets):
        inside = masks[:, list(T)].all(axis=1)
        table += coef[:, [k]] * inside[None]
        phi[:, list(T)] += coef[:, [k]] / len(T)
        for i, j in combinations(T, 2):
            sii[:, i, j] += coef[:, k] / (len(T) - 1)
            sii[:, j, i] += coef[:, k] / (len(T) - 1)
    return table, phi, sii


def _estimate(table, m, budget, seed):
    design = make_design(m, budget, np.random.RandomState(seed))
    index = (design.masks.astype(np.int64) * (1 << np.arange(m))).sum(axis=1)
    est, se = regression_estimate(table[:, index], design)
    return unstack(est, m), unstack(se, m), design


def test_known_game_matches_enumeration():
    # the oracle of this file agrees with the enumeration code
    table, phi, sii = _game(6, (1, 2, 3, 4), np.random.RandomState(0))
    phi_e, sii_e = enumerate_indices(table, all_masks(6))
    np.testing.assert_allclose(phi_e, phi, atol=1e-12)
    np.testing.assert_allclose(sii_e, sii, atol=1e-12)


@pytest.mark.parametrize("m, budget", [(6, 64), (8, 256), (8, 300)])
def test_budget_at_or_above_2_to_the_m_is_exact(m, budget):
    table, phi, sii = _game(m, (1, 2, 3, 4, 5), np.random.RandomState(1))
    (phi_h, sii_h, _), (phi_se, sii_se, _), design = _estimate(table, m, budget, 0)
    assert design.exact
    np.testing.assert_allclose(phi_h, phi, atol=1e-10)
    np.testing.assert_allclose(sii_h, sii, atol=1e-10)
    assert not phi_se.any() and not sii_se.any()


def test_sii_consistent_on_a_three_additive_game():
    # third-order terms move the SII by a(ijk) / 2; an estimate built on a
    # second-order fit misses that, the order-3 surrogate recovers it exactly
    m = 9
    table, phi, sii = _game(m, (1, 2, 3), np.random.RandomState(2))
    iu = np.triu_indices(m, 1)
    for budget in (200, 300):
        for seed in range(3):
            (phi_h, sii_h, _), (phi_se, sii_se, _), design = _estimate(
                table, m, budget, seed
            )
            assert not design.exact
            np.testing.assert_allclose(sii_h, sii, atol=1e-8)
            assert (sii_se[:, iu[0], iu[1]] > 0).all()
            # SHAP values: the James-Stein step may move them by the noise of
            # the unbiased correction, within their error bars
            assert (np.abs(phi_h - phi) <= 2 * phi_se).all()
            if budget == 300:  # every cross-fitted surrogate determined: exact
                np.testing.assert_allclose(phi_h, phi, atol=1e-8)


def test_error_bars_cover_on_a_planted_higher_order_game():
    # orders up to 5: the estimate is not exact, the bars must hold the error
    m = 10
    table, phi, sii = _game(m, (1, 2, 3, 4, 5), np.random.RandomState(3), n_rows=4)
    iu = np.triu_indices(m, 1)
    cover, spread = [], []
    for seed in range(6):
        (phi_h, sii_h, _), (phi_se, sii_se, _), design = _estimate(table, m, 256, seed)
        assert not design.exact
        # never a zero standard error for a sampled estimate
        assert (phi_se > 0).all() and (sii_se[:, iu[0], iu[1]] > 0).all()
        z = np.concatenate(
            [
                (np.abs(phi_h - phi) / phi_se).ravel(),
                (np.abs(sii_h - sii) / sii_se)[:, iu[0], iu[1]].ravel(),
            ]
        )
        cover.append(np.mean(z <= 2))
        spread.append(np.mean((sii_h - sii)[:, iu[0], iu[1]] ** 2))
    assert 0.85 <= np.mean(cover) <= 1.0
    # and the estimate is useful: pair MSE far below the pairs' variance
    assert np.mean(spread) < 0.05 * np.var(sii[:, iu[0], iu[1]])


def test_border_sizes_follow_the_budget():
    # sizes 0-2 and complements while 16 coalitions are left to sample,
    # then shapiq's rule (the kernel share of the rest covers the size)
    assert _border_sizes(10, 128) == ([0, 1, 2, 8, 9, 10], 112)
    assert _border_sizes(10, 100) == ([0, 1, 9, 10], 22)
    assert _border_sizes(14, 1024) == ([0, 1, 2, 12, 13, 14], 212)
    assert _border_sizes(10, 1024) == (list(range(11)), 1024)
    sizes, used = _border_sizes(10, 900)
    assert used <= 900 - 16 and 5 not in sizes


def test_error_bars_not_conservative_when_the_surrogate_interpolates():
    # m = 10 at a budget of 128: 112 coalitions enumerated and 8 sampled
    # pairs against 176 surrogate terms, so the fit interpolates. The old
    # bars max(|b|, s) covered 0.997 of the entries here (the unbiased
    # correction is ~3x noisier than the estimate); the decomposition of
    # variance with the Student-t inflation brings them near 0.95
    m = 10
    table, phi, sii = _game(m, (1, 2, 3, 4, 5), np.random.RandomState(0), n_rows=6)
    iu = np.triu_indices(m, 1)
    cover, cover_pairs = [], []
    for seed in range(8):
        (phi_h, sii_h, _), (phi_se, sii_se, _), design = _estimate(table, m, 128, seed)
        assert design.n_units == 8
        assert (phi_se > 0).all() and (sii_se[:, iu[0], iu[1]] > 0).all()
        z_pairs = (
            np.abs(sii_h - sii)[:, iu[0], iu[1]] / sii_se[:, iu[0], iu[1]]
        ).ravel()
        z = np.concatenate([(np.abs(phi_h - phi) / phi_se).ravel(), z_pairs])
        cover.append(np.mean(z <= 2))
        cover_pairs.append(np.mean(z_pairs <= 2))
    assert 0.90 <= np.mean(cover) <= 0.99
    assert 0.90 <= np.mean(cover_pairs) <= 0.99
