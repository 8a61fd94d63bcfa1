"""Regression estimates of SHAP values and Shapley interactions, with error bars.

The estimator, for a budget of ``Q`` coalitions per row (one design shared by
all rows, so the whole estimate is a few matrix products):

1. **Border enumeration.** Coalition sizes ``0, 1, 2`` and their complements
   ``m, m - 1, m - 2`` are enumerated completely while at least 16 coalitions
   are left to sample; further sizes only under shapiq's border trick (a size
   is enumerated when sampling the rest of the budget in proportion to the
   Shapley kernel would expect at least as many draws as it has coalitions;
   Fumagalli et al., "SHAP-IQ", NeurIPS 2023, and shapiq's ``CoalitionSampler``).
   Their contribution to every index is exact.
2. **Paired sampling** of the remaining sizes: a coalition ``S`` and its
   complement are drawn together (Covert & Lee, AISTATS 2021), the size with
   probability proportional to the Shapley kernel ``1 / (s (m - s))``.
3. **Surrogate.** A ``d``-additive game (Möbius coefficients of all sets up to
   size ``d = 3``, or 2 or 1 when the basis would exceed twice the budget) is
   fitted by Shapley-kernel weighted least squares (minimum-norm, no ridge) on
   every evaluated coalition. The **estimate** of every index is that of the
   game equal to ``v`` on the enumerated coalitions and to the surrogate on
   the others: exact on the border, the surrogate's prediction inside. With
   complementary pairs the SII depends only on the even part of the game and
   the SHAP values only on the odd part, and the order-3 surrogate's SHAP
   values are fixed by the border alone.
4. **Error bars from an unbiased correction.** The same regression is refitted
   with cross-fitting (folds of sampled pairs held out) and its error on the
   held-out coalitions is added back by importance-weighted Monte Carlo: the
   regression-adjusted Monte Carlo estimator of Witter et al. (2025,
   "Regression-adjusted Monte Carlo Estimators for Shapley Values and
   Probabilistic Values", arXiv:2506.11849), applied here to the SII as well.
   It is unbiased with a per-pair-unit sample variance ``s^2``; its difference
   ``b`` from the estimate estimates the estimate's error, so an entry's
   standard error is ``max(|b|, s)``; for the pairs when the surrogate
   interpolates (fewer coalitions than basis terms) it is the share of
   ``s`` that is the estimate's own error, by a decomposition of variance
   (:func:`_interpolating_pair_var`).
5. **SHAP values** move from the estimate towards the unbiased one by a
   positive-part James-Stein factor pooled over a row's SHAP values,
   ``1 - sum s^2 / sum b^2`` (clipped to [0, 1]); pairs keep the estimate.
   Efficiency (``sum_i phi_i = v(N) - v({})``) holds by construction and is
   restored to rounding; the diagonal is ``phi_i - sum_j Phi_ij`` so every row
   sums to its SHAP value.

The standard errors are 0 only when the design is exact (``budget >= 2^m``).
Accuracy against shapiq's estimators and the 2-SE coverage are measured in
``docs/benchmarks.md`` (``benchmarks/bench_explain_shapiq.py``).
"""

from itertools import combinations
from math import comb

import numpy as np

from skfeat.explain._enumeration import coefficients


class Design:
    """The coalitions a regression estimate evaluates, shared by all rows.

    Attributes
    ----------
    masks : ndarray of bool, shape (Q, m)
        Enumerated coalitions first (``n_exact`` of them), then the sampled
        pairs as ``S_1, ..., S_u, N - S_1, ..., N - S_u``.
    n_exact : int
    unit_scale : ndarray of shape (u,)
        Importance weight of each sampled pair: the number of coalitions in its
        size stratum over its probability, halved for the middle size of an
        even ``m`` (where ``S`` and its complement share a stratum).
    folds : ndarray of int, shape (u,)
    """

    def __init__(self, masks, n_exact, unit_scale, folds):
        self.masks = masks
        self.n_exact = n_exact
        self.unit_scale = unit_scale
        self.folds = folds

    @property
    def n_units(self):
        return len(self.unit_scale)

    @property
    def exact(self):
        return self.n_units == 0


def _stratum_cost(m, s):
    return comb(m, s) * (1 if 2 * s == m else 2)


def _border_sizes(m, budget, low=2, min_left=16):
    """Sizes enumerated completely, from the border inwards, within the budget.

    Sizes up to ``low`` (and their complements) while at least ``min_left``
    coalitions are left to sample, then shapiq's border trick: the next size
    when the Shapley-kernel share of the remaining budget covers it.
    """
    if budget >= 2**m:
        return list(range(m + 1)), 2**m
    done, used = [0, m], 2
    for s in range(1, m // 2 + 1):
        cost = _stratum_cost(m, s)
        left = budget - used - cost
        if left < min_left:
            break
        if s > low:
            rest = np.arange(s, m // 2 + 1)
            mass = np.where(2 * rest == m, 1.0, 2.0) / (rest * (m - rest))
            if (budget - used) * mass[0] / mass.sum() < cost:
                break
        done += [s, m - s]
        used += cost
    return sorted(set(done)), used


def make_design(m, budget, rng, n_folds=4):
    """Border enumeration within ``budget`` plus paired samples for the rest."""
    sizes, used = _border_sizes(m, budget)
    exact = []
    for s in sizes:
        for combo in combinations(range(m), s):
            mask = np.zeros(m, bool)
            mask[list(combo)] = True
            exact.append(mask)
    exact = np.array(exact, dtype=bool).reshape(-1, m)
    rest = [s for s in range(1, m // 2 + 1) if s not in sizes]
    n_units = (budget - used) // 2
    if not rest:
        return Design(exact, len(exact), np.zeros(0), np.zeros(0, int))
    n_units = max(n_units, 2)  # never report an incomplete design as exact
    # Shapley-kernel mass of each stratum (a size and its complement)
    mass = np.array([(1.0 if s == m - s else 2.0) / (s * (m - s)) for s in rest])
    prob = mass / mass.sum()
    # sizes in proportion to ``prob`` (systematic, so small budgets spread out),
    # treated as i.i.d. draws from ``prob``: a slightly conservative variance
    grid = (np.arange(n_units) + rng.uniform()) / n_units
    which = np.minimum(np.searchsorted(np.cumsum(prob), grid), len(rest) - 1)
    size = np.asarray(rest)[which]
    order = np.argsort(rng.random_sample((n_units, m)), axis=1)
    rank = np.argsort(order, axis=1)
    sampled = rank < size[:, None]
    n_strat = np.array([comb(m, s) for s in size], dtype=np.float64)
    scale = n_strat / prob[which]
    scale[2 * size == m] *= 0.5
    folds = rng.permutation(np.arange(n_units) % max(2, min(n_folds, n_units // 2)))
    masks = np.concatenate([exact, sampled, ~sampled])
    return Design(masks, len(exact), scale, folds)


def _mobius_basis(masks, order):
    """Indicators ``[T subset S]`` of all ``T`` with ``1 <= |T| <= order``."""
    m = masks.shape[1]
    sets = [T for d in range(1, order + 1) for T in combinations(range(m), d)]
    cols = [np.ones(len(masks))]
    for T in sets:
        cols.append(masks[:, list(T)].all(axis=1).astype(np.float64))
    return np.column_stack(cols), sets


def _indices_of_basis(sets, m):
    """Map Möbius coefficients to (phi, SII, Lundberg diagonal), shape (P, K)."""
    P = len(sets) + 1
    a_phi = np.zeros((P, m))
    a_sii = np.zeros((P, m, m))
    for p, T in enumerate(sets, start=1):
        t = len(T)
        a_phi[p, list(T)] = 1.0 / t
        if t >= 2:
            for i, j in combinations(T, 2):
                a_sii[p, i, j] = a_sii[p, j, i] = 1.0 / (t - 1)
    a_diag = a_phi - 0.5 * a_sii.sum(axis=2)
    return _stack(a_phi, a_sii, a_diag)


def _stack(c_phi, c_sii, c_diag):
    """Outputs in one axis: phi (m), Lundberg diagonal (m), pairs i < j."""
    m = c_phi.shape[1]
    iu = np.triu_indices(m, k=1)
    return np.concatenate([c_phi, c_diag, c_sii[:, iu[0], iu[1]]], axis=1)


def _surrogate_order(m, n_coalitions):
    """Largest order ``<= 3`` whose Möbius basis has at most twice as many terms."""
    order = 1
    for d in (2, 3):
        if d <= m and sum(comb(m, t) for t in range(d + 1)) <= 2 * n_coalitions:
            order = d
    return order


def _kernel_weights(masks, m, mult):
    s = masks.sum(axis=1)
    w = np.empty(len(masks))
    inner = (s > 0) & (s < m)
    w[inner] = (m - 1) / (
        np.array([comb(m, int(t)) for t in s[inner]]) * s[inner] * (m - s[inner])
    )
    w[~inner] = 1e4  # v({}) and v(N): as good as constraints
    return w * mult


def _fit_map(Z, w):
    """Minimum-norm weighted least squares as a map from values to coefficients.

    Returns ``(P, n)``; no ridge (a ridge scaled by the border weights biased
    the fit of nearly low-order games by orders of magnitude).
    """
    sw = np.sqrt(w)
    return np.linalg.pinv(Z * sw[:, None], rcond=1e-12) * sw[None, :]


class _Maps:
    """Linear maps from coalition values to the estimate and its correction.

    Everything but the values is shared by all rows, so it is computed once:
    ``theta = V @ plug`` is the estimate; for each fold ``k``, the surrogate
    fitted without the fold's pairs has coefficients ``V[:, fit_k] @ fold_fit[k]``.
    """

    def __init__(self, design):
        masks = design.masks
        m = masks.shape[1]
        self.m = m
        self.c_all = _stack(*coefficients(masks))  # (Q, K)
        E = design.n_exact
        u = design.n_units
        self.E, self.u = E, u
        self.s_idx = E + np.arange(u)
        self.c_idx = E + u + np.arange(u)
        mult = np.ones(len(masks))
        mult[E:] = np.concatenate([design.unit_scale, design.unit_scale]) / u
        w = _kernel_weights(masks, m, mult)
        order = _surrogate_order(m, len(masks))
        self.Z, sets = _mobius_basis(masks, order)
        # indices of the surrogate less its enumerated part (counted exactly)
        self.A = _indices_of_basis(sets, m) - self.Z[:E].T @ self.c_all[:E]
        exact_c = np.zeros_like(self.c_all)
        exact_c[:E] = self.c_all[:E]
        self.plug = exact_c + _fit_map(self.Z, w).T @ self.A  # (Q, K)
        self.n_folds = int(design.folds.max()) + 1
        # the surrogate interpolates the evaluated coalitions (more basis
        # terms than coalitions): the pairs' standard errors then follow
        # :func:`_interpolating_pair_var`
        self.interpolates = self.Z.shape[1] > self.Z.shape[0]
        self.folds = []
        for k in range(self.n_folds):
            held = design.folds == k
            fit = np.ones(len(masks), bool)
            fit[self.s_idx[held]] = False
            fit[self.c_idx[held]] = False
            self.folds.append((held, fit, _fit_map(self.Z[fit], w[fit])))


def regression_estimate(values, design):
    """Estimates and standard errors, rows in chunks.

    Parameters
    ----------
    values : ndarray of shape (n, Q)
        ``v(S)`` of each row on ``design.masks``.
    design : Design

    Returns
    -------
    est, se : ndarray of shape (n, 2 m + m (m - 1) / 2)
        Estimates and standard errors in the order of :func:`_stack`.
    """
    m = design.masks.shape[1]
    if design.exact:
        c_all = _stack(*coefficients(design.masks))
        return values @ c_all, np.zeros((values.shape[0], c_all.shape[1]))
    maps = _Maps(design)
    width = 2 * m + m * (m - 1) // 2
    per_row = max(1, design.n_units) * width
    chunk = max(1, int(2e7) // per_row)
    parts = [
        _regression_chunk(values[s : s + chunk], design, maps)
        for s in range(0, values.shape[0], chunk)
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _regression_chunk(values, design, maps):
    """Estimate (pairs), James-Stein blend (SHAP values) and standard errors."""
    m, E, u = maps.m, maps.E, maps.u
    c_all, Z = maps.c_all, maps.Z
    theta = values @ maps.plug
    exact_part = values[:, :E] @ c_all[:E]
    est = np.zeros_like(theta)
    var = np.zeros_like(theta)
    for held, fit, fit_map in maps.folds:
        beta = values[:, fit] @ fit_map.T  # (n, P)
        hs, hc = maps.s_idx[held], maps.c_idx[held]
        r_s = values[:, hs] - beta @ Z[hs].T  # (n, h)
        r_c = values[:, hc] - beta @ Z[hc].T
        scale = design.unit_scale[held]
        units = r_s[:, :, None] * c_all[hs][None] + r_c[:, :, None] * c_all[hc][None]
        units *= scale[None, :, None]  # (n, h, K)
        h = held.sum()
        share = h / u
        est += share * (beta @ maps.A + units.mean(axis=1))
        var += share**2 * units.var(axis=1, ddof=1) / h
    est += exact_part
    # ``est`` is unbiased with variance ``var``; ``est - theta`` estimates the
    # error of ``theta``
    bias = est - theta
    out = theta.copy()
    phi = slice(0, m)
    lam = 1.0 - var[:, phi].sum(axis=1) / np.maximum(
        (bias[:, phi] ** 2).sum(axis=1), 1e-300
    )
    out[:, phi] += np.clip(lam, 0.0, 1.0)[:, None] * bias[:, phi]
    pair_var = var[:, 2 * m :]
    var = np.maximum(bias**2, var)
    if maps.interpolates:
        var[:, 2 * m :] = _interpolating_pair_var(
            pair_var, bias[:, 2 * m :], u - maps.n_folds
        )
    se = np.sqrt(var)
    # efficiency, exactly (it holds up to rounding): the gap goes to the SHAP
    # values in proportion to their variance (as in constrained KernelSHAP)
    masks = design.masks
    empty = ~masks.any(axis=1)
    full = masks.all(axis=1)
    gap = values[:, full][:, 0] - values[:, empty][:, 0] - out[:, :m].sum(axis=1)
    share = var[:, :m] / np.maximum(var[:, :m].sum(axis=1, keepdims=True), 1e-300)
    out[:, :m] += gap[:, None] * share
    # Lundberg's diagonal from the SHAP values and the pairs, so rows sum to phi
    sii = unstack(out, m)[1]
    sii_se = unstack(se, m)[1]
    out[:, m : 2 * m] = out[:, :m] - 0.5 * sii.sum(axis=2)
    se[:, m : 2 * m] = np.sqrt(se[:, :m] ** 2 + 0.25 * (sii_se**2).sum(axis=2))
    return out, se


def _interpolating_pair_var(var, bias, df, floor=0.2):
    """Squared standard errors of the pairs when the surrogate interpolates.

    With fewer coalitions than surrogate terms (e.g. ``m = 10`` at a budget of
    128: 112 enumerated, 8 sampled pairs, 176 terms) every cross-fitted
    surrogate misses a quarter of the few sampled pairs, so the unbiased
    estimate ``est`` is far noisier than the estimate ``theta`` (fitted on all
    of them), and ``max(|b|, s)`` covered 98-100% at 2 standard errors in
    ``benchmarks/bench_explain_shapiq.py`` (an earlier table in
    ``docs/benchmarks.md``).
    There ``b = est - theta`` is mostly the correction's own noise, nearly
    uncorrelated with ``theta``'s error (a positive correlation only makes
    what follows conservative), so by the decomposition of variance
    ``Var(est) = MSE(theta) + E b^2``: ``theta``'s mean squared error is the
    share ``kappa = 1 - sum b^2 / sum s^2`` (pooled over a row's pairs) of
    the variance of ``est``. ``kappa`` is floored at ``floor`` (it is a
    noisy ratio from a few pairs; 0.2 keeps every benchmark case at or above
    0.93 coverage), and the variance is inflated by ``(t_df / z)^2``, the
    Student-t quantile of a variance estimated from ``df`` degrees of freedom
    (sampled pairs less folds; 4 at the budget above, where the 2-SE
    coverage of a perfectly scaled but noisy ``s`` would be only 0.88).
    The floor is the one number chosen by looking at those cases. With more
    coalitions than terms the folds' fits are close to the full one, ``b``
    is no longer uncorrelated with ``theta``'s error (in a diagnosis not
    kept in ``benchmarks/``, the decomposition under-covered the pairs at
    ``m = 10``, budget 512), and ``max(|b|, s)`` covers 0.93-0.99 there
    (``docs/benchmarks.md``): it is kept.
    """
    from scipy.stats import t as student_t

    kappa = 1.0 - (bias**2).sum(axis=1) / np.maximum(var.sum(axis=1), 1e-300)
    kappa = np.clip(kappa, floor, 1.0)
    inflate = (student_t.ppf(0.975, max(int(df), 1)) / 1.959964) ** 2
    return (kappa * inflate)[:, None] * var


def unstack(flat, m):
    """Split the output axis of :func:`_stack` into phi, sii and Lundberg diagonal."""
    n = flat.shape[0]
    phi, diag = flat[:, :m], flat[:, m : 2 * m]
    sii = np.zeros((n, m, m))
    iu = np.triu_indices(m, k=1)
    sii[:, iu[0], iu[1]] = flat[:, 2 * m :]
    sii[:, iu[1], iu[0]] = flat[:, 2 * m :]
    return phi, sii, diag
