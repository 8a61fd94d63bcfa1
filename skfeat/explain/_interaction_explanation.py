"""A ``shap.Explanation`` of interaction values that is sliced by column name.

shap's ``Explanation`` maps column names to the feature axis (axis 1) only, so
``iv[:, "a", "b"]`` raises an ``IndexError`` on ``(n, m, m)`` interaction
values. This subclass turns names on axes 1 and 2 into indices first; the rest
is shap's slicing. ``iv[:, "a", "b"]`` is then ``Phi_ab`` for every row, with
column ``a``'s data, ready for ``shap.plots.scatter``.
"""

import numpy as np
import shap


class InteractionExplanation(shap.Explanation):
    """``shap.Explanation`` of SHAP interaction values, sliced by name on both axes.

    Returned by :meth:`InteractionExplainer.shap_interaction_values`; everything
    else is ``shap.Explanation``'s.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.explain._interaction_explanation import InteractionExplanation
    >>> values = np.arange(8.0).reshape(2, 2, 2)
    >>> iv = InteractionExplanation(values, feature_names=["a", "b"])
    >>> iv[:, "a", "b"].values
    array([1., 5.])
    """

    def __getitem__(self, item):
        names = self.feature_names
        if np.ndim(self.values) == 3 and names is not None:
            names = [str(n) for n in names]
            items = item if isinstance(item, tuple) else (item,)
            converted = []
            for axis, key in enumerate(items):
                if axis in (1, 2) and isinstance(key, str):
                    if key not in names:
                        raise ValueError(f"{key!r} is not a column; columns: {names}.")
                    key = names.index(key)
                converted.append(key)
            item = tuple(converted)
        out = super().__getitem__(item)
        if isinstance(out, shap.Explanation) and np.ndim(out.values) == 3:
            out.__class__ = type(self)  # row slices stay sliceable by name
        return out
