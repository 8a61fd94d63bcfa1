"""Synthetic data with planted pairwise interactions and known ground truth."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from skfeat.utils._sklearn_compat import Interval, validate_params

_PARAMS = {
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_fields": [Interval(Integral, 2, None, closed="left")],
    "cardinality": [Interval(Integral, 2, None, closed="left"), "array-like"],
    "n_numeric": [Interval(Integral, 0, None, closed="left")],
    "interactions": [Interval(Integral, 0, None, closed="left"), "array-like"],
    "interaction_rank": [Interval(Integral, 1, None, closed="left")],
    "interaction_strength": [Interval(Real, 0, None, closed="left")],
    "main_effect_strength": [Interval(Real, 0, None, closed="left")],
    "noise": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
}


def _double_centre(table):
    table = table - table.mean(axis=0, keepdims=True)
    return table - table.mean(axis=1, keepdims=True)


def _generate(
    n_samples,
    n_fields,
    cardinality,
    n_numeric,
    interactions,
    interaction_rank,
    interaction_strength,
    main_effect_strength,
    random_state,
):
    rng = check_random_state(random_state)
    cards = np.broadcast_to(np.asarray(cardinality, dtype=int), (n_fields,)).copy()
    if (cards < 2).any():
        raise ValueError("every cardinality must be at least 2.")
    m = n_fields + n_numeric
    names = [f"f{i}" for i in range(n_fields)] + [f"num{i}" for i in range(n_numeric)]
    if isinstance(interactions, Integral):
        n_pairs = int(interactions)
        if 2 * n_pairs > m:
            raise ValueError(
                f"interactions={n_pairs} disjoint pairs need at least {2 * n_pairs} "
                f"fields, got {m}."
            )
        pairs = [(2 * p, 2 * p + 1) for p in range(n_pairs)]
    else:
        pairs = [tuple(int(v) for v in pair) for pair in interactions]
        for pair in pairs:
            if (
                len(pair) != 2
                or pair[0] == pair[1]
                or not all(0 <= v < m for v in pair)
            ):
                raise ValueError(
                    f"interactions must hold pairs of distinct field indices in "
                    f"[0, {m}), got {pair}."
                )

    codes = [rng.randint(card, size=n_samples) for card in cards]
    numeric = [rng.standard_normal(n_samples) for _ in range(n_numeric)]

    def field_values(i):
        return codes[i] if i < n_fields else numeric[i - n_fields]

    main_tables = []
    logit = np.zeros(n_samples)
    for i in range(m):
        if i < n_fields:
            table = rng.standard_normal(cards[i])
            table = main_effect_strength * (table - table.mean())
            main_tables.append(table)
            logit += table[codes[i]]
        else:
            coef = main_effect_strength * rng.standard_normal()
            main_tables.append(np.array([coef]))
            logit += coef * numeric[i - n_fields]

    pair_tables = []
    for i, j in pairs:
        # a categorical field acts as its codes; a numeric field as a linear factor
        rows = cards[i] if i < n_fields else 1
        cols = cards[j] if j < n_fields else 1
        U = rng.standard_normal((rows, interaction_rank))
        V = rng.standard_normal((cols, interaction_rank))
        table = U @ V.T / np.sqrt(interaction_rank)
        if rows > 1 and cols > 1:
            table = _double_centre(table)
        elif rows > 1:
            table = table - table.mean(axis=0, keepdims=True)
        elif cols > 1:
            table = table - table.mean(axis=1, keepdims=True)
        std = table.std() if table.size > 1 else abs(table).max()
        table = interaction_strength * table / (std if std > 0 else 1.0)
        pair_tables.append(table)
        a = codes[i] if i < n_fields else np.zeros(n_samples, dtype=int)
        b = codes[j] if j < n_fields else np.zeros(n_samples, dtype=int)
        term = table[a, b]
        if i >= n_fields:
            term = term * numeric[i - n_fields]
        if j >= n_fields:
            term = term * numeric[j - n_fields]
        logit += term

    columns = {}
    for i in range(n_fields):
        labels = np.array([f"c{v}" for v in range(cards[i])], dtype=object)
        columns[names[i]] = pd.Categorical.from_codes(codes[i], categories=labels)
    for i in range(n_numeric):
        columns[names[n_fields + i]] = numeric[i]
    X = pd.DataFrame(columns)
    truth = Bunch(
        pairs=[(names[i], names[j]) for i, j in pairs],
        pair_indices=list(pairs),
        main_effects=main_tables,
        interaction_tables=pair_tables,
        feature_names=names,
    )
    return X, logit, truth, rng, field_values


@validate_params({**_PARAMS, "bias": [Real]}, prefer_skip_nested_validation=True)
def make_interaction_classification(
    n_samples=10_000,
    n_fields=8,
    *,
    cardinality=16,
    n_numeric=0,
    interactions=3,
    interaction_rank=2,
    interaction_strength=1.0,
    main_effect_strength=0.5,
    noise=0.0,
    bias=0.0,
    random_state=None,
):
    """Binary classification data with planted pairwise interactions.

    Categorical fields take uniform, independent values. The logit is a sum of
    centred main effects and, for each planted pair, a low-rank interaction table
    that is double-centred (a pure interaction: it adds nothing to either field's
    main effect) and scaled to standard deviation ``interaction_strength``. Labels
    are drawn as ``y ~ Bernoulli(sigmoid(logit))``.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of rows.
    n_fields : int, default=8
        Number of categorical fields (columns ``f0``, ``f1``, ...).
    cardinality : int or array-like of int, default=16
        Categories per field.
    n_numeric : int, default=0
        Number of standard normal numeric fields (columns ``num0``, ...), each with
        a linear main effect.
    interactions : int or list of (int, int), default=3
        Number of disjoint planted pairs ``(0, 1), (2, 3), ...`` or the pairs
        themselves, as field indices (numeric fields come after the categorical
        ones).
    interaction_rank : int, default=2
        Rank of each planted interaction table.
    interaction_strength : float, default=1.0
        Standard deviation of each planted interaction term.
    main_effect_strength : float, default=0.5
        Standard deviation of the main-effect tables.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the logit before sampling.
    bias : float, default=0.0
        Constant added to the logit (negative values give rarer positives).
    random_state : int, RandomState instance or None, default=None
        Seed of the random generator, for reproducible output.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_fields + n_numeric)
        Categorical fields with ``category`` dtype, numeric fields as floats.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    truth : Bunch
        ``logit`` (the generating logit, noise excluded), ``pairs`` (planted column
        name pairs), ``pair_indices``, ``main_effects``, ``interaction_tables`` and
        ``feature_names``.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_classification
    >>> X, y, truth = make_interaction_classification(n_samples=100, random_state=0)
    >>> X.shape, truth.pairs
    ((100, 8), [('f0', 'f1'), ('f2', 'f3'), ('f4', 'f5')])
    """
    X, logit, truth, rng, _ = _generate(
        n_samples,
        n_fields,
        cardinality,
        n_numeric,
        interactions,
        interaction_rank,
        interaction_strength,
        main_effect_strength,
        random_state,
    )
    logit = logit + bias
    noisy = logit + noise * rng.standard_normal(n_samples)
    y = (rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-noisy))).astype(np.int64)
    truth.logit = logit
    return X, y, truth


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def make_interaction_regression(
    n_samples=10_000,
    n_fields=8,
    *,
    cardinality=16,
    n_numeric=0,
    interactions=3,
    interaction_rank=2,
    interaction_strength=1.0,
    main_effect_strength=0.5,
    noise=0.3,
    random_state=None,
):
    """Regression data with planted pairwise interactions.

    The same generator as :func:`make_interaction_classification`; the target is
    the generating mean plus Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of rows.
    n_fields : int, default=8
        Number of categorical fields (columns ``f0``, ``f1``, ...).
    cardinality : int or array-like of int, default=16
        Categories per field.
    n_numeric : int, default=0
        Number of standard normal numeric fields (columns ``num0``, ...),
        each with a linear main effect.
    interactions : int or list of (int, int), default=3
        Number of disjoint planted pairs ``(0, 1), (2, 3), ...`` or the pairs
        themselves, as field indices (numeric fields come after the categorical
        ones).
    interaction_rank : int, default=2
        Rank of each planted interaction table.
    interaction_strength : float, default=1.0
        Standard deviation of each planted interaction term.
    main_effect_strength : float, default=0.5
        Standard deviation of the main-effect tables.
    noise : float, default=0.3
        Standard deviation of the Gaussian noise added to the target.
    random_state : int, RandomState instance or None, default=None
        Seed of the random generator, for reproducible output.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_fields + n_numeric)
        The features.
    y : ndarray of shape (n_samples,)
        The target.
    truth : Bunch
        ``mean`` (the generating mean), ``pairs``, ``pair_indices``,
        ``main_effects``, ``interaction_tables``, ``feature_names``.

    Examples
    --------
    >>> from skfeat.datasets import make_interaction_regression
    >>> X, y, truth = make_interaction_regression(n_samples=100, random_state=0)
    >>> y.shape, len(truth.pairs)
    ((100,), 3)
    """
    X, mean, truth, rng, _ = _generate(
        n_samples,
        n_fields,
        cardinality,
        n_numeric,
        interactions,
        interaction_rank,
        interaction_strength,
        main_effect_strength,
        random_state,
    )
    y = mean + noise * rng.standard_normal(n_samples)
    truth.mean = mean
    return X, y, truth
