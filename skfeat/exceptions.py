"""Exceptions and warnings raised by skfeat."""

__all__ = ["DivergenceError"]


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
