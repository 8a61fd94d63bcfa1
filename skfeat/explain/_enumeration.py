"""Exact Shapley values and Shapley interaction indices from coalition values.

Both indices are linear in the game: ``phi_i = sum_S c_i(S) v(S)`` and
``SII_ij = sum_S c_ij(S) v(S)``. With ``w1(t) = t! (m-t-1)! / m!`` and
``w2(t) = t! (m-t-2)! / (m-1)!``, the coefficients of a coalition ``S`` of size
``s`` are

* ``c_i(S) = w1(s-1)`` if ``i`` is in ``S``, else ``-w1(s)``;
* ``c_ij(S) = w2(s-2)`` if both are in ``S``, ``-w2(s-1)`` if exactly one is,
  ``w2(s)`` if neither is.

Enumeration evaluates all ``2^m`` coalitions and applies these coefficients as
one matrix product per output (``(n, 2^m) @ (2^m, m + m^2)``); the regression
estimator of :mod:`skfeat.explain._regression` uses them on a subset of the
coalitions.
"""

from math import lgamma

import numpy as np


def _weights(m, order):
    """``w(t)`` for ``t = -1 .. m`` (zero outside the valid range), shifted by 1."""
    out = np.zeros(m + 3)
    top = m - order  # largest valid t
    for t in range(0, top + 1):
        out[t + 1] = np.exp(
            lgamma(t + 1) + lgamma(m - t - order + 1) - lgamma(m - order + 2)
        )
    return out


def coefficients(masks):
    """Coefficients of each coalition in phi, the SII and Lundberg's diagonal.

    Parameters
    ----------
    masks : ndarray of bool, shape (Q, m)

    Returns
    -------
    c_phi : ndarray of shape (Q, m)
    c_sii : ndarray of shape (Q, m, m)
        Symmetric, zero diagonal.
    c_diag : ndarray of shape (Q, m)
        Coefficients of ``phi_i - 1/2 sum_{j != i} SII_ij`` (Lundberg's diagonal).
    """
    masks = np.asarray(masks, dtype=bool)
    m = masks.shape[1]
    s = masks.sum(axis=1)
    w1 = _weights(m, 1)
    w2 = _weights(m, 2) if m >= 2 else np.zeros(m + 3)
    # index t + 1 in the shifted tables
    c_phi = np.where(masks, w1[s][:, None], -w1[s + 1][:, None])
    k = masks[:, :, None].astype(np.int8) + masks[:, None, :].astype(np.int8)
    table = np.stack([w2[s + 1], -w2[s], w2[np.maximum(s - 1, 0)]], axis=1)
    table[s < 1, 2] = 0.0  # w2(s - 2) with s < 2 never occurs with both in S
    c_sii = np.take_along_axis(table, k.reshape(len(s), -1), axis=1).reshape(k.shape)
    idx = np.arange(m)
    c_sii[:, idx, idx] = 0.0
    c_diag = c_phi - 0.5 * c_sii.sum(axis=2)
    return c_phi, c_sii, c_diag


def all_masks(m):
    """All ``2^m`` coalitions as a bool array, coalition ``q`` holding bit ``i``."""
    q = np.arange(2**m, dtype=np.int64)
    return ((q[:, None] >> np.arange(m)) & 1).astype(bool)


def enumerate_indices(values, masks):
    """Exact phi, SII and Lundberg's matrix from the values of all coalitions.

    Parameters
    ----------
    values : ndarray of shape (n, 2^m)
        ``v(S)`` of each row for each coalition of ``masks``.
    masks : ndarray of bool, shape (2^m, m)

    Returns
    -------
    phi : ndarray of shape (n, m)
    sii : ndarray of shape (n, m, m)
    """
    m = masks.shape[1]
    c_phi, c_sii, _ = coefficients(masks)
    phi = values @ c_phi
    sii = (values @ c_sii.reshape(len(masks), -1)).reshape(-1, m, m)
    return phi, sii
