"""Model-agnostic estimates of SHAP (interaction) values by permutation sampling.

The game of a row ``x`` is interventional: ``v(S) = mean_b f(x_S, b_notS)`` over
background rows ``b``, each column masked as a whole.

Estimator. For a uniform random permutation ``pi`` with prefixes ``F_t``:

* the marginal contribution ``v(F_{t+1}) - v(F_t)`` of ``pi_t`` is an unbiased
  sample of its Shapley value;
* for the adjacent pair ``(pi_t, pi_{t+1})`` the discrete derivative
  ``v(F_t + ij) - v(F_t + i) - v(F_t + j) + v(F_t)`` is a sample whose prefix
  follows exactly the Shapley-interaction-index (SII) weights, since ``P(T |
  i, j adjacent)`` is uniform over ``|T|`` and then over subsets of that size.

Prefixes are shared, so a permutation costs ``2 m`` coalitions (``m + 1``
prefixes and ``m - 1`` ``F_t + pi_{t+1}``). Permutations come in antithetic pairs
(``pi`` and its reverse) whose two samples are averaged into one unit. For a game
with at most pairwise interactions (an FM) every unit then equals the exact value:
the pair derivative does not depend on the prefix, and the two marginal
contributions of a player split its pair terms into complementary halves. So the
estimator has zero variance there and stays unbiased for any model.
"""

import numpy as np
import pandas as pd


class MaskedGame:
    """Evaluate ``v(S)`` for many (row, coalition) queries in batched model calls.

    Parameters
    ----------
    f : callable
        Maps a table like ``background`` to a 1d float array.
    X : DataFrame or ndarray of shape (n, m)
        Rows to explain.
    background : DataFrame or ndarray of shape (n_background, m)
    batch_size : int
        Most model rows per call of ``f``.
    owner : ndarray of int of shape (n_columns,) or None, default=None
        The player of each column (a vector field's columns are one player);
        ``None``: each column is a player. Masks are given per player.
    """

    def __init__(self, f, X, background, batch_size, owner=None):
        self.f = f
        self.n = X.shape[0]
        self.n_background = background.shape[0]
        self.n_columns = X.shape[1]
        self.owner = None if owner is None else np.asarray(owner, dtype=np.int64)
        self.m = self.n_columns if owner is None else int(self.owner.max()) + 1
        self.batch_size = batch_size
        # one pool: the rows to explain, then the background rows; a masked row
        # is a per-column choice of pool row, so no Python loop over coalitions
        if isinstance(background, pd.DataFrame):
            self.pool = pd.concat([X, background], axis=0, ignore_index=True)
        else:
            self.pool = np.concatenate([np.asarray(X), np.asarray(background)])

    def _take(self, index):
        if isinstance(self.pool, pd.DataFrame):
            return pd.DataFrame(
                {
                    name: self.pool[name].array.take(index[:, j])
                    for j, name in enumerate(self.pool.columns)
                }
            )
        return self.pool[index, np.arange(self.n_columns)]

    def values(self, rows, masks):
        """``v(S)`` for each query ``(rows[q], masks[q])``; masks is (Q, m) bool."""
        rows = np.asarray(rows)
        masks = np.asarray(masks, dtype=bool)
        if self.owner is not None:
            masks = masks[:, self.owner]  # players to columns
        nb = self.n_background
        out = np.empty(len(rows))
        per_call = max(1, self.batch_size // nb)
        bg_index = self.n + np.arange(nb)
        for start in range(0, len(rows), per_call):
            r = rows[start : start + per_call]
            mk = masks[start : start + per_call]
            index = np.where(
                mk[:, None, :], r[:, None, None], bg_index[None, :, None]
            ).reshape(-1, self.n_columns)
            pred = np.asarray(self.f(self._take(index)), dtype=np.float64)
            out[start : start + len(r)] = pred.reshape(len(r), nb).mean(axis=1)
        return out


def _prefix_masks(pos):
    """Prefix and prefix-plus-next coalitions of permutations given as positions.

    ``pos[..., i]`` is the position of player ``i``. Returns masks of shape
    ``(..., 2m, m)``: ``m + 1`` prefixes ``F_0..F_m`` then ``m - 1`` sets
    ``F_t + pi_{t+1}``.
    """
    m = pos.shape[-1]
    t = np.arange(m + 1)[:, None]
    prefixes = pos[..., None, :] < t
    t2 = np.arange(m - 1)[:, None]
    extras = (pos[..., None, :] < t2) | (pos[..., None, :] == t2 + 1)
    return np.concatenate([prefixes, extras], axis=-2)


def _perm_samples(vals, perm, pos):
    """Marginal contributions (..., m) by player and pair derivatives (..., m-1)."""
    m = perm.shape[-1]
    prefix, extra = vals[..., : m + 1], vals[..., m + 1 :]
    diff = np.diff(prefix, axis=-1)  # contribution of the player at position t
    contrib = np.take_along_axis(diff, pos, axis=-1)
    delta = prefix[..., 2:] - prefix[..., 1:-1] - extra + prefix[..., :-2]
    return contrib, delta


def permutation_interactions(game, n_permutations, rng, min_samples=2):
    """Estimate Shapley values and the SII of every pair, with standard errors.

    Parameters
    ----------
    game : MaskedGame
    n_permutations : int
        Permutations per row, drawn as ``ceil(n_permutations / 2)`` antithetic
        pairs.
    rng : numpy.random.RandomState
    min_samples : int, default=2
        Pairs that were adjacent in fewer antithetic units get extra samples
        drawn directly from the SII distribution, so every entry has a standard
        error.

    Returns
    -------
    phi, phi_se : ndarray of shape (n, m)
    sii, sii_se : ndarray of shape (n, m, m)
        Symmetric, zero diagonal.
    v_empty, v_full : ndarray of shape (n,)
    """
    n, m = game.n, game.m
    n_units = max(1, (int(n_permutations) + 1) // 2)
    perm = np.argsort(rng.random_sample((n, n_units, m)), axis=-1)
    pos = np.argsort(perm, axis=-1)
    rperm = perm[..., ::-1]
    rpos = m - 1 - pos
    masks = np.concatenate([_prefix_masks(pos), _prefix_masks(rpos)], axis=-2)
    n_q = masks.shape[-2]  # 4m coalitions per antithetic unit
    rows = np.broadcast_to(np.arange(n)[:, None, None], (n, n_units, n_q))
    vals = game.values(rows.reshape(-1), masks.reshape(-1, m)).reshape(n, n_units, n_q)
    half = n_q // 2
    c_f, d_f = _perm_samples(vals[..., :half], perm, pos)
    c_r, d_r = _perm_samples(vals[..., half:], rperm, rpos)
    phi_units = 0.5 * (c_f + c_r)  # (n, units, m)
    # the reverse permutation meets pair (pi_s, pi_{s+1}) at position m - 2 - s
    pair_units = 0.5 * (d_f + d_r[..., ::-1])  # (n, units, m-1)

    phi = phi_units.mean(axis=1)
    phi_se = _stderr(phi_units.var(axis=1, ddof=1), n_units)

    # accumulate pair samples by flat (row, i, j) index, both orientations
    a, b = perm[..., :-1], perm[..., 1:]
    r_off = np.arange(n)[:, None, None] * m * m
    idx = np.concatenate([(r_off + a * m + b).ravel(), (r_off + b * m + a).ravel()])
    w = np.concatenate([pair_units.ravel(), pair_units.ravel()])
    extra_idx, extra_w = _top_up(game, rng, idx, min_samples, n, m)
    idx = np.concatenate([idx, extra_idx])
    w = np.concatenate([w, extra_w])
    sii, sii_se = _grouped_mean_se(idx, w, n * m * m)
    sii, sii_se = sii.reshape(n, m, m), sii_se.reshape(n, m, m)
    v_empty = vals[:, 0, 0]
    v_full = vals[:, 0, m]
    return phi, phi_se, sii, sii_se, v_empty, v_full


def _stderr(var, n_units):
    if n_units < 2:
        return np.full_like(var, np.nan)
    return np.sqrt(np.clip(var, 0.0, None) / n_units)


def _grouped_mean_se(idx, w, size):
    """Mean and standard error of the samples ``w`` grouped by ``idx``."""
    count = np.bincount(idx, minlength=size).astype(np.float64)
    safe = np.maximum(count, 1.0)
    mean = np.bincount(idx, weights=w, minlength=size) / safe
    # two passes, so an exact game (all samples equal) gets exactly zero
    sq = np.bincount(idx, weights=(w - mean[idx]) ** 2, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(sq / (count - 1) / count)
    se[count < 2] = np.nan
    se[count == 0] = 0.0  # the diagonal: no samples and nothing to estimate
    return mean, se


def _top_up(game, rng, idx, min_samples, n, m):
    """Antithetic SII samples for (row, pair) entries seen too rarely.

    Returns the flat indices and values of the new samples, both orientations.
    """
    empty = np.zeros(0, dtype=idx.dtype), np.zeros(0)
    if m < 2:
        return empty
    c = np.bincount(idx, minlength=n * m * m).reshape(n, m, m)
    r, i, j = np.nonzero(np.triu(c < min_samples, k=1))
    if len(r) == 0:
        return empty
    need = (min_samples - c[r, i, j]).astype(int)
    r, i, j = (np.repeat(v, need) for v in (r, i, j))
    q = len(r)
    # SII weights of a prefix T of the other m - 2 players: uniform over |T|, then
    # uniform over subsets of that size
    order = np.argsort(rng.random_sample((q, m)), axis=-1)
    pos = np.argsort(order, axis=-1)
    # move i and j past every other player so "others" are positions 0..m-3
    pos = pos.astype(float)
    pos[np.arange(q), i] = m
    pos[np.arange(q), j] = m + 1
    pos = np.argsort(np.argsort(pos, axis=-1), axis=-1)
    size = rng.randint(0, m - 1, size=q)
    others = pos < m - 2
    base = pos < size[:, None]
    comp = others & ~base
    onehot_i = np.zeros((q, m), bool)
    onehot_i[np.arange(q), i] = True
    onehot_j = np.zeros((q, m), bool)
    onehot_j[np.arange(q), j] = True
    sets = []
    for t in (base, comp):
        sets += [t, t | onehot_i, t | onehot_j, t | onehot_i | onehot_j]
    masks = np.stack(sets, axis=1)  # (q, 8, m)
    vals = game.values(np.repeat(r, 8), masks.reshape(-1, m)).reshape(q, 8)
    deltas = vals[:, 3] - vals[:, 1] - vals[:, 2] + vals[:, 0]
    deltas_c = vals[:, 7] - vals[:, 5] - vals[:, 6] + vals[:, 4]
    units = 0.5 * (deltas + deltas_c)
    idx = np.concatenate([r * m * m + i * m + j, r * m * m + j * m + i])
    return idx, np.concatenate([units, units])
