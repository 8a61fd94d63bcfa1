"""Synthetic data whose signal lives in a vector field (an embedding's direction)."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import Bunch, check_random_state

from skfeat.utils._sklearn_compat import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "vector_dim": [Interval(Integral, 1, None, closed="left")],
        "n_categories": [Interval(Integral, 2, None, closed="left")],
        "n_fields": [Interval(Integral, 0, None, closed="left")],
        "cardinality": [Interval(Integral, 2, None, closed="left")],
        "interaction_strength": [Interval(Real, 0, None, closed="left")],
        "main_effect_strength": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_vector_field_classification(
    n_samples=5000,
    vector_dim=16,
    *,
    n_categories=4,
    n_fields=3,
    cardinality=8,
    interaction_strength=2.0,
    main_effect_strength=0.5,
    random_state=None,
):
    """Binary classification data whose signal lives in a vector's direction.

    Each row has a vector ``v`` of ``vector_dim`` standard normal values (standing
    for a text or image embedding computed elsewhere), a ``category`` field and
    ``n_fields`` more categorical fields. The logit is::

        logit = <v, w[category]> + sum_i main_i(f_i)

    with one direction ``w[c]`` per category, centred over the categories and
    scaled so that the interaction term has standard deviation
    ``interaction_strength``. The term is a pure interaction: its mean is zero
    in every category and for every vector (the directions sum to zero), so
    neither the vector nor ``category`` alone says anything about the label; the
    other fields carry centred main effects. Labels are drawn as
    ``y ~ Bernoulli(sigmoid(logit))``.

    Parameters
    ----------
    n_samples : int, default=5000
        Number of rows.
    vector_dim : int, default=16
        Length of the vector (columns ``text_0``, ``text_1``, ...).
    n_categories : int, default=4
        Categories of the ``category`` field that the vector interacts with.
    n_fields : int, default=3
        Further categorical fields (``f0``, ``f1``, ...) with main effects only.
    cardinality : int, default=8
        Categories of each further field.
    interaction_strength : float, default=2.0
        Standard deviation of the vector-category term of the logit.
    main_effect_strength : float, default=0.5
        Standard deviation of each further field's main-effect table.
    random_state : int, RandomState instance or None, default=None
        Seed of the random generator, for reproducible output.

    Returns
    -------
    X : DataFrame of shape (n_samples, 1 + n_fields + vector_dim)
        ``category`` and ``f0``... with ``category`` dtype, then the vector's
        columns as floats.
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    truth : Bunch
        ``vector_features`` (``{"text": [vector column names]}``, ready to pass
        to a model), ``directions`` (``(n_categories, vector_dim)``), ``pair``
        (``("text", "category")``, the planted interaction), ``main_effects``
        and ``logit`` (the generating logit).

    Examples
    --------
    >>> from skfeat.datasets import make_vector_field_classification
    >>> X, y, truth = make_vector_field_classification(
    ...     n_samples=100, vector_dim=4, random_state=0)
    >>> X.shape, truth.pair
    ((100, 8), ('text', 'category'))
    >>> truth.vector_features
    {'text': ['text_0', 'text_1', 'text_2', 'text_3']}
    """
    rng = check_random_state(random_state)
    vectors = rng.standard_normal((n_samples, vector_dim))
    category = rng.randint(n_categories, size=n_samples)
    directions = rng.standard_normal((n_categories, vector_dim))
    directions -= directions.mean(axis=0, keepdims=True)
    # scale by the exact standard deviation of <v, w[c]> for standard normal v
    # and uniform categories: sqrt(mean_c ||w_c||^2)
    scale = np.sqrt(np.mean(np.sum(directions**2, axis=1)))
    directions *= interaction_strength / (scale if scale > 0 else 1.0)
    logit = np.einsum("nd,nd->n", vectors, directions[category])
    columns = {
        "category": pd.Categorical.from_codes(
            category, categories=[f"c{v}" for v in range(n_categories)]
        )
    }
    main_effects = []
    for i in range(n_fields):
        codes = rng.randint(cardinality, size=n_samples)
        table = rng.standard_normal(cardinality)
        table = main_effect_strength * (table - table.mean())
        main_effects.append(table)
        logit = logit + table[codes]
        columns[f"f{i}"] = pd.Categorical.from_codes(
            codes, categories=[f"c{v}" for v in range(cardinality)]
        )
    names = [f"text_{j}" for j in range(vector_dim)]
    for j, name in enumerate(names):
        columns[name] = vectors[:, j]
    X = pd.DataFrame(columns)
    y = (rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    truth = Bunch(
        vector_features={"text": names},
        directions=directions,
        pair=("text", "category"),
        main_effects=main_effects,
        logit=logit,
    )
    return X, y, truth
