"""Regression-adjusted estimates of SHAP values and Shapley interactions.

The estimator, for a budget of ``Q`` coalitions per row (one design shared by
all rows, so the whole estimate is a few matrix products):

1. **Border enumeration.** Coalition sizes are enumerated completely from the
   outside in (``{}`` and ``N``, then sizes ``1`` and ``m - 1``, ...) while they
   fit in the budget, in the spirit of KernelSHAP-IQ's border trick (Fumagalli et al.,
   ICML 2024). Their contribution to every index is exact.
2. **Paired sampling** of the remaining sizes: a coalition ``S`` and its
   complement are drawn together (Covert & Lee, AISTATS 2021), the size with
   probability proportional to the Shapley kernel ``1 / (s (m - s))``.
3. **Surrogate.** A ``d``-additive game (Möbius coefficients of all sets up to
   size ``d = 3``, or 2 or 1 when the budget is small) is fitted by
   Shapley-kernel weighted least squares on every evaluated coalition; its
   SHAP values and interaction indices are closed-form sums of its Möbius
   coefficients. This is the **pair estimate** (in the spirit of
   KernelSHAP-IQ, but it is not SII-consistent: a game with mass above the
   surrogate's order leaves a bias).
4. **Error bars from an unbiased correction.** The same regression is refitted
   with cross-fitting (folds of sampled pairs held out) and its error on the
   held-out coalitions is added back by importance-weighted Monte Carlo: the
   regression-adjusted Monte Carlo estimator of Witter et al. (2025,
   "Regression-adjusted Monte Carlo Estimators for Shapley Values and
   Probabilistic Values", arXiv:2506.11849), applied here to the SII as well.
   It is unbiased with a per-pair-unit sample variance ``s^2``. Its difference
   ``b`` from the pair estimate estimates that estimate's bias, so a pair's
   standard error is ``max(|b|, s)`` (Student-t widened for few pairs).
5. **SHAP values and the diagonal** are the precision-weighted blend
   ``theta + lam b`` with ``lam = b^2 / (b^2 + s^2)`` (positive-part shrinkage
   per entry); efficiency (``sum_i phi_i = v(N) - v({})``) is then restored
   exactly by spreading the gap in proportion to the variances, and the
   diagonal is ``phi_i - sum_j Phi_ij`` so every row sums to its SHAP value.

The standard errors are 0 only when the design is exact (``budget >= 2^m``);
``2 error_std`` covered 0.94-1.00 of the true errors in the measurements of
``docs/benchmarks.md``.
"""

from itertools import combinations
from math import comb

import numpy as np
from scipy import stats

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


def _sizes_by_border(m, budget):
    """Sizes enumerated completely, from the border inwards, within the budget."""
    done = [0, m] if m > 0 else [0]
    used = len(set(done))
    for s in range(1, m // 2 + 1):
        pair = [s] if s == m - s else [s, m - s]
        cost = sum(comb(m, t) for t in pair)
        if used + cost > budget:
            break
        done += pair
        used += cost
    return sorted(set(done)), used


def make_design(m, budget, rng, n_folds=4):
    """Border enumeration within ``budget`` plus paired samples for the rest."""
    sizes, used = _sizes_by_border(m, budget)
    exact = []
    for s in sizes:
        for combo in combinations(range(m), s):
            mask = np.zeros(m, bool)
            mask[list(combo)] = True
            exact.append(mask)
    exact = np.array(exact, dtype=bool).reshape(-1, m)
    rest = [s for s in range(1, m // 2 + 1) if s not in sizes]
    n_units = (budget - used) // 2
    if not rest or n_units < 2:
        return Design(exact, len(exact), np.zeros(0), np.zeros(0, int))
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


def _surrogate_order(m, n_fit):
    """Largest order whose Möbius basis has at most half as many terms as fits."""
    order = 1
    for d in (2, 3):
        if d <= m and sum(comb(m, t) for t in range(d + 1)) <= n_fit // 2:
            order = d
    return order


def _kernel_weights(masks, m, mult):
    s = masks.sum(axis=1)
    w = np.empty(len(masks))
    inner = (s > 0) & (s < m)
    w[inner] = (m - 1) / (
        np.array([comb(m, int(t)) for t in s[inner]]) * s[inner] * (m - s[inner])
    )
    w[~inner] = 1e6  # v({}) and v(N): as good as constraints
    return w * mult


def regression_estimate(values, design):
    """Regression-adjusted estimate with standard errors, rows in chunks.

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
    width = 2 * m + m * (m - 1) // 2
    per_row = max(1, design.n_units) * width
    chunk = max(1, int(2e7) // per_row)
    parts = [
        _regression_chunk(values[s : s + chunk], design)
        for s in range(0, values.shape[0], chunk)
    ]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _regression_chunk(values, design):
    """Regression-adjusted estimate with standard errors.

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
    masks = design.masks
    m = masks.shape[1]
    c_all = _stack(*coefficients(masks))  # (Q, K)
    E = design.n_exact
    if design.exact:
        return values @ c_all, np.zeros((values.shape[0], c_all.shape[1]))
    u = design.n_units
    s_idx = E + np.arange(u)
    c_idx = E + u + np.arange(u)
    # weight of a sampled coalition in the fit: its stratum's kernel mass per draw
    mult = np.ones(len(masks))
    mult[E:] = np.concatenate([design.unit_scale, design.unit_scale]) / (u / 1.0)
    base_w = _kernel_weights(masks, m, mult)
    n_fit = E + 2 * u * (1 - 1 / max(design.folds.max() + 1, 2))
    order = _surrogate_order(m, int(n_fit))
    Z, sets = _mobius_basis(masks, order)
    A = _indices_of_basis(sets, m)  # (P, K)
    exact_part = values[:, :E] @ c_all[:E]  # sum over enumerated coalitions
    n_folds = design.folds.max() + 1
    est = np.zeros((values.shape[0], c_all.shape[1]))
    var = np.zeros_like(est)
    ridge = 1e-8
    for k in range(n_folds):
        held = design.folds == k
        fit = np.ones(len(masks), bool)
        fit[s_idx[held]] = False
        fit[c_idx[held]] = False
        Zf, wf = Z[fit], base_w[fit]
        gram = Zf.T @ (Zf * wf[:, None])
        gram[np.diag_indices_from(gram)] += ridge * np.median(np.diag(gram))
        solve = np.linalg.solve(gram, (Zf * wf[:, None]).T)  # (P, n_fit)
        beta = values[:, fit] @ solve.T  # (n, P)
        # surrogate's indices, minus its enumerated part (counted exactly above)
        surrogate = beta @ (A - Z[:E].T @ c_all[:E])
        # correction: importance-weighted residual on the held-out pairs
        hs, hc = s_idx[held], c_idx[held]
        r_s = values[:, hs] - beta @ Z[hs].T  # (n, h)
        r_c = values[:, hc] - beta @ Z[hc].T
        scale = design.unit_scale[held]
        units = r_s[:, :, None] * c_all[hs][None] + r_c[:, :, None] * c_all[hc][None]
        units *= scale[None, :, None]  # (n, h, K)
        h = held.sum()
        share = h / u
        est += share * (surrogate + units.mean(axis=1))
        var += share**2 * units.var(axis=1, ddof=1) / h
    est += exact_part
    # the same regression fitted on every coalition: lower variance, some bias;
    # ``est - theta`` is an unbiased estimate of that bias with variance ``var``
    theta = exact_part + _fit_all(values, masks, base_w, order, m, c_all, E)
    bias = est - theta
    # pairs: the regression estimate; phi and the diagonal: precision-weighted
    # between it and the unbiased one (positive-part shrinkage per entry)
    lam = bias**2 / (bias**2 + var + 1e-300)
    lam[:, 2 * m :] = 0.0
    est = theta + lam * bias
    var = lam**2 * var + (1 - lam) ** 2 * np.maximum(bias**2, var)
    # few pairs per fold: widen to Student-t, so +-2 SE keeps its ~95% meaning
    df = max(u - n_folds, 1)
    widen = stats.t.ppf(0.975, df) / stats.norm.ppf(0.975)
    se = widen * np.sqrt(var)
    # efficiency, exactly: the gap goes to the SHAP values in proportion to
    # their variance (as in constrained KernelSHAP)
    empty = ~masks.any(axis=1)
    full = masks.all(axis=1)
    gap = values[:, full][:, 0] - values[:, empty][:, 0] - est[:, :m].sum(axis=1)
    share = var[:, :m] / np.maximum(var[:, :m].sum(axis=1, keepdims=True), 1e-300)
    est[:, :m] += gap[:, None] * share
    # Lundberg's diagonal from the SHAP values and the pairs, so rows sum to phi
    sii = unstack(est, m)[1]
    sii_se = unstack(se, m)[1]
    est[:, m : 2 * m] = est[:, :m] - 0.5 * sii.sum(axis=2)
    se[:, m : 2 * m] = np.sqrt(se[:, :m] ** 2 + 0.25 * (sii_se**2).sum(axis=2))
    return est, se


def _fit_all(values, masks, w, order, m, c_all, E):
    """Indices of the surrogate fitted on every coalition, less its exact part."""
    Z, sets = _mobius_basis(masks, order)
    A = _indices_of_basis(sets, m)
    gram = Z.T @ (Z * w[:, None])
    gram[np.diag_indices_from(gram)] += 1e-8 * np.median(np.diag(gram))
    beta = values @ np.linalg.solve(gram, (Z * w[:, None]).T).T
    return beta @ (A - Z[:E].T @ c_all[:E])


def unstack(flat, m):
    """Split the output axis of :func:`_stack` into phi, sii and Lundberg diagonal."""
    n = flat.shape[0]
    phi, diag = flat[:, :m], flat[:, m : 2 * m]
    sii = np.zeros((n, m, m))
    iu = np.triu_indices(m, k=1)
    sii[:, iu[0], iu[1]] = flat[:, 2 * m :]
    sii[:, iu[1], iu[0]] = flat[:, 2 * m :]
    return phi, sii, diag
