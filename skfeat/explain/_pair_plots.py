"""Plots of SHAP interaction values per pair of columns, which shap lacks.

shap's own plots take SHAP values (one number per row and column); these take
the ``(n_samples, m, m)`` interaction values of
:meth:`InteractionExplainer.shap_interaction_values` (or any
``shap.Explanation`` of that shape) and show one pair per bar, point cloud or
beeswarm row. Standard errors (``error_std``, from the sampling method) are drawn
as error bars where a plot can show them.
"""

import numpy as np

from skfeat.explain._plots import _interaction_array

_RED_BLUE = None


def _cmap():
    # shap's red-blue map when shap's plotting colours import, else matplotlib's
    global _RED_BLUE
    if _RED_BLUE is None:
        try:
            from shap.plots import colors

            _RED_BLUE = colors.red_blue
        except ImportError:  # pragma: no cover - shap ships it
            import matplotlib

            _RED_BLUE = matplotlib.colormaps["coolwarm"]
    return _RED_BLUE


def _errors(explanation, shape):
    err = getattr(explanation, "error_std", None)
    if err is None:
        return None
    err = np.asarray(err, dtype=float)
    if err.shape != shape:
        return None
    return err


def _pair_index(names, feature, what):
    if isinstance(feature, (int, np.integer)):
        if not 0 <= feature < len(names):
            raise ValueError(
                f"{what} index {feature} is out of range for {len(names)} columns."
            )
        return int(feature)
    if str(feature) not in names:
        raise ValueError(f"{what} {feature!r} is not a column; columns: {names}.")
    return names.index(str(feature))


def _top_pairs(values, max_display):
    i, j = np.triu_indices(values.shape[1], k=1)
    score = np.abs(values[:, i, j]).mean(axis=0)
    order = np.argsort(-score, kind="stable")[:max_display]
    return i[order], j[order], score[order]


def _column_data(explanation, n, m):
    """Numeric data per column (codes for categories) and labels for categories."""
    data = getattr(explanation, "data", None)
    if data is None:
        return None, None
    data = np.asarray(data)
    if data.shape != (n, m):
        return None, None
    display = getattr(explanation, "display_data", None)
    display = None if display is None else np.asarray(display, dtype=object)
    if display is not None and display.shape != (n, m):
        display = None
    try:
        return data.astype(float), display
    except (TypeError, ValueError):
        codes = np.column_stack(
            [np.unique(col.astype(str), return_inverse=True)[1] for col in data.T]
        )
        return codes.astype(float), data.astype(object)


def _check_max_display(max_display):
    if not isinstance(max_display, (int, np.integer)) or max_display < 1:
        raise ValueError(
            f"max_display must be a positive integer, got {max_display!r}."
        )


def plot_interaction_bar(explanation, *, max_display=10, ax=None):
    """Bar chart of the column pairs with the largest mean absolute interaction.

    Parameters
    ----------
    explanation : shap.Explanation or ndarray of shape (n_samples, m, m)
        SHAP interaction values, e.g. from
        :meth:`InteractionExplainer.shap_interaction_values`.
    max_display : int, default=10
        Number of pairs shown (the top ones of :func:`rank_interactions`).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One horizontal bar per pair, the largest on top, of length
        ``mean_r |Phi_ij|``. When ``explanation`` has ``error_std`` (sampled
        values), each bar has an error bar of two standard errors of that mean,
        ``2 sqrt(sum_r se_rij^2) / n``.

    See Also
    --------
    rank_interactions : The same numbers as a table.
    plot_interaction_beeswarm : The distribution behind each bar.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skfeat.explain import plot_interaction_bar
    >>> values = np.zeros((4, 3, 3))
    >>> values[:, 0, 2] = values[:, 2, 0] = 1.0
    >>> ax = plot_interaction_bar(values, max_display=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['x0 × x2', 'x0 × x1']
    """
    import matplotlib.pyplot as plt

    _check_max_display(max_display)
    values, names = _interaction_array(explanation, "plot_interaction_bar")
    n = values.shape[0]
    i, j, score = _top_pairs(values, max_display)
    err = _errors(explanation, values.shape)
    xerr = None
    if err is not None:
        xerr = 2 * np.sqrt((err[:, i, j] ** 2).sum(axis=0)) / n
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.9 + 0.4 * len(i)))
    # largest on top: draw from the bottom up
    pos = np.arange(len(i))[::-1]
    ax.barh(
        pos, score, xerr=xerr, color="#1E88E5", capsize=3 if xerr is not None else 0
    )
    ax.set_yticks(pos, [f"{names[a]} × {names[b]}" for a, b in zip(i, j)])
    ax.set_xlabel("mean |SHAP interaction value|")
    ax.set_title("Top feature pairs")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def plot_interaction_dependence(explanation, feature_a, feature_b, *, ax=None):
    """Interaction value of one pair against the values of its two columns.

    Parameters
    ----------
    explanation : shap.Explanation or ndarray of shape (n_samples, m, m)
        SHAP interaction values with the rows' data (an ``Explanation`` from
        :meth:`InteractionExplainer.shap_interaction_values`). For a bare array
        the x axis is the row index.
    feature_a, feature_b : str or int
        The pair, by column name or index.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One point per row: ``Phi_ab`` (half the pair's interaction) against the
        value of ``feature_a`` (categories by name), coloured by the value of
        ``feature_b``. With ``error_std`` each point has an error bar of two
        standard errors.

    See Also
    --------
    plot_interaction_bar : Which pairs to look at.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import shap
    >>> from skfeat.explain import plot_interaction_dependence
    >>> rng = np.random.RandomState(0)
    >>> data = rng.randn(20, 2)
    >>> values = np.zeros((20, 2, 2))
    >>> values[:, 0, 1] = values[:, 1, 0] = data[:, 0] * data[:, 1] / 2
    >>> inter = shap.Explanation(values, data=data, feature_names=["a", "b"])
    >>> ax = plot_interaction_dependence(inter, "a", "b")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('a', 'SHAP interaction value a × b')
    """
    import matplotlib.pyplot as plt

    values, names = _interaction_array(explanation, "plot_interaction_dependence")
    n, m = values.shape[:2]
    a = _pair_index(names, feature_a, "feature_a")
    b = _pair_index(names, feature_b, "feature_b")
    if a == b:
        raise ValueError(
            f"feature_a and feature_b are the same column {names[a]!r}; a pair needs "
            "two columns (shap.plots.scatter shows a main effect)."
        )
    y = values[:, a, b]
    data, display = _column_data(explanation, n, m)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    if data is None:
        x, c = np.arange(n, dtype=float), None
        ax.set_xlabel("row")
    else:
        x, c = data[:, a], data[:, b]
        ax.set_xlabel(names[a])
        if display is not None and _is_categorical(display[:, a], data[:, a]):
            _category_ticks(ax.set_xticks, x, display[:, a])
            # spread the points of one category so they do not hide each other
            x = x + np.random.RandomState(0).uniform(-0.2, 0.2, n)
    err = _errors(explanation, values.shape)
    if err is not None:
        ax.errorbar(
            x, y, yerr=2 * err[:, a, b], fmt="none", ecolor="0.6", lw=0.8, zorder=1
        )
    if c is None:
        points = ax.scatter(x, y, s=14, zorder=2, color="#1E88E5")
    else:
        points = ax.scatter(x, y, c=_normalise(c), cmap=_cmap(), s=14, zorder=2)
    if c is not None:
        bar = ax.figure.colorbar(points, ax=ax)
        bar.set_label(names[b])
        if display is not None and _is_categorical(display[:, b], c):
            ticks = np.unique(c[~np.isnan(c)])
            if len(ticks) > 10:  # label an evenly spread subset
                ticks = ticks[np.linspace(0, len(ticks) - 1, 10).round().astype(int)]
            labels = [str(display[np.flatnonzero(c == t)[0], b]) for t in ticks]
            bar.set_ticks(_normalise_at(c, ticks), labels=labels)
        else:
            lo, hi = _range(c)
            bar.set_ticks([0, 1], labels=[f"{lo:.3g}", f"{hi:.3g}"])
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_ylabel(f"SHAP interaction value {names[a]} × {names[b]}")
    return ax


def plot_interaction_beeswarm(explanation, *, max_display=10, ax=None):
    """Beeswarm of the interaction values of the top column pairs.

    Parameters
    ----------
    explanation : shap.Explanation or ndarray of shape (n_samples, m, m)
        SHAP interaction values with the rows' data.
    max_display : int, default=10
        Number of pairs shown, ranked by mean absolute interaction.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One row per pair (the largest on top) and one point per explained row at
        ``Phi_ij``, spread vertically where points are dense, coloured by the
        value of the pair's first column (low blue, high red; category codes
        for categories).

    See Also
    --------
    plot_interaction_bar : The mean absolute value of each row.
    plot_interaction_dependence : One pair against its columns' values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skfeat.explain import plot_interaction_beeswarm
    >>> values = np.random.RandomState(0).randn(30, 3, 3)
    >>> values = (values + values.transpose(0, 2, 1)) / 2
    >>> ax = plot_interaction_beeswarm(values, max_display=2)
    >>> len(ax.get_yticklabels())
    2
    """
    import matplotlib.pyplot as plt

    _check_max_display(max_display)
    values, names = _interaction_array(explanation, "plot_interaction_beeswarm")
    n, m = values.shape[:2]
    i, j, _ = _top_pairs(values, max_display)
    data, _ = _column_data(explanation, n, m)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.9 + 0.45 * len(i)))
    pos = np.arange(len(i))[::-1]
    points = None
    for row, a, b in zip(pos, i, j):
        x = values[:, a, b]
        y = row + _swarm_offsets(x)
        if data is None:
            points = ax.scatter(x, y, s=10, linewidths=0, color="#1E88E5")
        else:
            points = ax.scatter(
                x,
                y,
                c=_normalise(data[:, a]),
                cmap=_cmap(),
                vmin=0,
                vmax=1,
                s=10,
                linewidths=0,
            )
    ax.set_yticks(pos, [f"{names[a]} × {names[b]}" for a, b in zip(i, j)])
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("SHAP interaction value")
    if data is not None and points is not None:
        bar = ax.figure.colorbar(points, ax=ax, aspect=40)
        bar.set_ticks([0, 1], labels=["low", "high"])
        bar.set_label("value of the first column")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


# ------------------------------------------------------------------ helpers
def _is_categorical(display, data):
    """Whether ``data`` holds codes of the values shown in ``display``."""
    try:
        shown = np.asarray(display, dtype=float)
    except (TypeError, ValueError):
        return True
    return not np.allclose(shown, data, equal_nan=True)


def _category_ticks(set_ticks, codes, labels, most=8):
    ticks = np.unique(codes[~np.isnan(codes)])
    rotation = 45 if len(ticks) > 6 else 0
    if len(ticks) > most:
        # label present codes at least 1/most of the axis apart, so labels do
        # not overlap
        gap = (ticks[-1] - ticks[0]) / most
        kept = [ticks[0]]
        for t in ticks[1:]:
            if t - kept[-1] >= gap:
                kept.append(t)
        ticks = np.asarray(kept)
    names = [str(labels[np.flatnonzero(codes == t)[0]]) for t in ticks]
    set_ticks(ticks, names, rotation=rotation)


def _range(c):
    """5th and 95th percentiles (or min and max), as shap colours its beeswarm."""
    finite = c[np.isfinite(c)]
    if finite.size == 0:
        return 0.0, 0.0
    lo, hi = np.percentile(finite, [5, 95])
    if hi <= lo:
        lo, hi = finite.min(), finite.max()
    return float(lo), float(hi)


def _normalise(c):
    """Values to [0, 1] between the bounds of :func:`_range`, clipped."""
    return _normalise_at(c, c)


def _normalise_at(c, ticks):
    c = np.asarray(c, dtype=float)
    ticks = np.asarray(ticks, dtype=float)
    lo, hi = _range(c)
    if hi <= lo:
        return np.full(ticks.shape, 0.5)
    return np.clip((ticks - lo) / (hi - lo), 0, 1)


def _swarm_offsets(x, width=0.4, n_bins=50):
    """Vertical offsets that spread dense points, in [-width, width]."""
    x = np.asarray(x, dtype=float)
    offsets = np.zeros(len(x))
    span = np.ptp(x) if len(x) else 0.0
    if span == 0:
        bins = np.zeros(len(x), dtype=int)
    else:
        bins = np.minimum(((x - x.min()) / span * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    scale = width / max(1, counts.max())
    rank = np.zeros(len(x), dtype=int)
    seen = np.zeros(n_bins, dtype=int)
    for k in np.argsort(x, kind="stable"):
        rank[k] = seen[bins[k]]
        seen[bins[k]] += 1
    # alternate above and below the row's centre line
    sign = np.where(rank % 2 == 0, 1.0, -1.0)
    offsets = sign * ((rank + 1) // 2) * 2 * scale
    return offsets
