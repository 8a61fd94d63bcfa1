"""The scikit-learn ensembles :func:`skfeat.io.save` writes, and their final steps.

Voting and stacking ensembles of skfeat models hold, once fitted, their members
(saved as any model is), label encoders, arrays and strings; a stacking
ensemble's final estimator is scikit-learn's default one (logistic regression,
or ``RidgeCV`` for a regressor), whose fitted state is arrays and scalars. None
of them holds code, so they join the allow-list. ``named_estimators_`` is a
``Bunch`` in scikit-learn; JSON gives a dict back, which
:func:`restore_bunches` turns into a ``Bunch`` again.
"""

from sklearn.utils import Bunch


def ensemble_classes():
    """The ensemble classes (and default final estimators) that may be saved."""
    from sklearn.ensemble import (
        StackingClassifier,
        StackingRegressor,
        VotingClassifier,
        VotingRegressor,
    )
    from sklearn.linear_model import LogisticRegression, RidgeCV

    return [
        VotingClassifier,
        VotingRegressor,
        StackingClassifier,
        StackingRegressor,
        LogisticRegression,
        RidgeCV,
    ]


def restore_bunches(obj):
    """Give a loaded ensemble its ``named_estimators_`` back as a ``Bunch``."""
    named = vars(obj).get("named_estimators_")
    if type(named) is dict:
        obj.named_estimators_ = Bunch(**named)
    return obj
