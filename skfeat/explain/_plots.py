"""Global views of SHAP interaction values: a ranked table and a heatmap."""

import numpy as np
import pandas as pd


def _interaction_array(explanation, caller="rank_interactions"):
    values = np.asarray(getattr(explanation, "values", explanation), dtype=float)
    if values.ndim == 2:
        # (n_samples, n_features) SHAP values, or one row's matrix: ranking either
        # as interactions would be meaningless or ambiguous
        raise ValueError(
            f"{caller} expects SHAP interaction values of shape (n_samples, "
            f"n_features, n_features), got a 2-d array of shape {values.shape}: "
            "SHAP values (one number per row and column) have no pair values; use "
            "InteractionExplainer.shap_interaction_values (for one row's matrix, "
            "pass values[None])."
        )
    if values.ndim != 3 or values.shape[1] != values.shape[2]:
        raise ValueError(
            f"{caller} expects SHAP interaction values of shape (n_samples, "
            f"n_features, n_features), got shape {values.shape}; use "
            "InteractionExplainer.shap_interaction_values."
        )
    names = getattr(explanation, "feature_names", None)
    if names is None:
        names = [f"x{i}" for i in range(values.shape[1])]
    return values, [str(n) for n in names]


def rank_interactions(explanation):
    """Column pairs ranked by mean absolute SHAP interaction value.

    Parameters
    ----------
    explanation : shap.Explanation or ndarray of shape (n_samples, m, m)
        SHAP interaction values, e.g. from
        :meth:`InteractionExplainer.shap_interaction_values`.

    Returns
    -------
    ranking : DataFrame
        One row per pair ``i < j``, sorted by ``mean_abs_interaction``
        (descending), with columns ``feature_a``, ``feature_b``,
        ``mean_abs_interaction`` (mean of ``|Phi_ij|`` over rows) and
        ``mean_interaction`` (signed mean). ``Phi_ij`` is half the pair's
        total interaction, the other half being ``Phi_ji``.

    See Also
    --------
    plot_interaction_heatmap : The same numbers as a matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.explain import rank_interactions
    >>> values = np.zeros((2, 3, 3))
    >>> values[:, 0, 2] = values[:, 2, 0] = [0.5, -1.5]
    >>> rank_interactions(values).head(2)
      feature_a feature_b  mean_abs_interaction  mean_interaction
    0        x0        x2                   1.0              -0.5
    1        x0        x1                   0.0               0.0
    """
    values, names = _interaction_array(explanation)
    i, j = np.triu_indices(values.shape[1], k=1)
    pair_values = values[:, i, j]
    table = pd.DataFrame(
        {
            "feature_a": [names[a] for a in i],
            "feature_b": [names[b] for b in j],
            "mean_abs_interaction": np.abs(pair_values).mean(axis=0),
            "mean_interaction": pair_values.mean(axis=0),
        }
    )
    return table.sort_values(
        "mean_abs_interaction", ascending=False, kind="stable"
    ).reset_index(drop=True)


def plot_interaction_heatmap(explanation, ax=None, *, diagonal=False, cmap="viridis"):
    """Heatmap of the mean absolute SHAP interaction value of each column pair.

    Parameters
    ----------
    explanation : shap.Explanation or ndarray of shape (n_samples, m, m)
        SHAP interaction values.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    diagonal : bool, default=False
        Also show the main effects ``mean |Phi_ii|``. They are usually much
        larger than the pair values and would wash out the colour scale.
    cmap : str, default="viridis"
        Matplotlib colormap.

    Returns
    -------
    ax : matplotlib Axes
        The axes holding the heatmap.

    See Also
    --------
    rank_interactions : The same numbers as a ranked table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skfeat.explain import plot_interaction_heatmap
    >>> ax = plot_interaction_heatmap(np.ones((4, 3, 3)))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['x0', 'x1', 'x2']
    """
    # matplotlib is an optional (dev/docs) dependency: import it only here
    import matplotlib.pyplot as plt

    values, names = _interaction_array(explanation, "plot_interaction_heatmap")
    matrix = np.abs(values).mean(axis=0)
    if not diagonal:
        matrix = np.ma.masked_array(matrix, mask=np.eye(len(names), dtype=bool))
    if ax is None:
        m = len(names)
        _, ax = plt.subplots(figsize=(1.0 + 0.55 * m, 0.6 + 0.5 * m))
    image = ax.imshow(matrix, cmap=cmap)
    ax.set_xticks(range(len(names)), names, rotation=90)
    ax.set_yticks(range(len(names)), names)
    ax.figure.colorbar(image, ax=ax, label="mean |SHAP interaction value|")
    ax.set_title("Feature interactions")
    return ax
