"""Exceptions and warnings raised by skfeat."""

__all__ = ["ColumnKindWarning", "DivergenceError"]


class DivergenceError(ValueError, ArithmeticError):
    """Training produced a non-finite loss or non-finite weights.

    Raised by ``fit`` and ``partial_fit`` when a training or validation loss becomes
    ``inf`` or ``NaN``, or when training leaves a weight that is not finite. The
    estimator is left exactly as it was before the call, so a model that was
    serving predictions keeps serving the same ones. It derives from
    ``ValueError`` (scikit-learn's ``MLPClassifier`` raises ``ValueError`` for
    non-finite weights) and from ``ArithmeticError``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfeat.exceptions import DivergenceError
    >>> from skfeat.models import FMRegressor
    >>> X = np.random.RandomState(0).normal(size=(200, 3))
    >>> reg = FMRegressor(optimizer="sgd", learning_rate=1e6, clip_grad_norm=None,
    ...                   random_state=0)
    >>> try:
    ...     reg.fit(X, X[:, 0] * X[:, 1])
    ... except DivergenceError as exc:
    ...     print("diverged")
    diverged
    """


class ColumnKindWarning(UserWarning):
    """An integer column's kind is close to the rule's threshold.

    Under ``categorical_features="from_dtype"`` an integer column of a DataFrame
    is read as integer codes when its values repeat at least
    ``INTEGER_CODE_MIN_REPEATS`` (4) times on average, and as numbers otherwise.
    A column whose rows per distinct value lie within a factor of two of that
    threshold could be read the other way on a subset or a superset of the same
    rows (a cross-validation fold, a refit on more data); the warning names it so
    that its kind can be fixed with ``categorical_features``. A column further
    from the threshold keeps its kind on every subset of at least half its rows.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> from skfeat.exceptions import ColumnKindWarning
    >>> from skfeat.models import FMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"user": rng.randint(0, 100, 500)})  # 5 rows per user
    >>> y = rng.randint(0, 2, 500)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = FMClassifier(max_epochs=1).fit(X, y)
    >>> [str(w.message).split(":")[0] for w in caught
    ...  if issubclass(w.category, ColumnKindWarning)]
    ["Integer column 'user' is near the integer-code threshold"]
    """
