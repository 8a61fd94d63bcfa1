"""Distillation of a fitted model into a smaller one with the same field encoding."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import clone, is_classifier

from skfeat.compress._common import check_field_model
from skfeat.models import FitVariant


class SoftTargetLoss(torch.nn.Module):
    """Per-sample cross-entropy against soft targets, at a temperature.

    Binary (1-d logits): ``T^2 * BCE(z / T, q)``; multiclass: ``T^2 * sum_c -q_c
    log softmax(z / T)_c``. ``q`` holds probabilities (already tempered).
    """

    def __init__(self, temperature=1.0):
        super().__init__()
        self.temperature = float(temperature)

    def forward(self, logits, target):
        t = self.temperature
        z = logits.float() / t
        if z.dim() == 1:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                z, target, reduction="none"
            )
        else:
            loss = -(target * torch.log_softmax(z, dim=1)).sum(dim=1)
        return loss * t * t


def distill(
    teacher,
    student,
    X,
    y=None,
    *,
    teacher_weight=1.0,
    temperature=1.0,
    eval_set=None,
):
    """Train ``student`` to reproduce a fitted ``teacher`` on ``X``.

    The student takes over the teacher's fitted field encoding (categories, ids,
    numeric scaling, classes), so both read the same columns the same way, and is
    trained on the teacher's soft outputs (Hinton et al., 2015) mixed with the
    labels ``y``: for classifiers the target of a row is ``w * p_T + (1 - w) *
    onehot(y)`` with ``p_T`` the teacher's probabilities at temperature ``T``, the
    loss the cross-entropy of the student's tempered logits times ``T^2``; for
    regressors the target is ``w * teacher(x) + (1 - w) * y`` with squared error.
    The student's own training parameters (epochs, learning rate, batch size,
    early stopping, ``random_state``) apply; its ``categorical_features`` and
    ``min_frequency`` are set to the teacher's, so that refitting a clone
    reproduces the same preprocessing.

    Parameters
    ----------
    teacher : BaseFieldModel
        A fitted skfeat model trained on field input, e.g. a ``DeepFMClassifier``.
    student : BaseFieldModel
        An estimator of the same kind (classifier or regressor), e.g. an
        ``FMClassifier`` with a small ``embed_dim``. It is cloned, not modified.
    X : {DataFrame, array-like} of shape (n_samples, n_features)
        Transfer data: the teacher's training data, possibly with unlabelled rows.
    y : array-like of shape (n_samples,), default=None
        Labels of ``X``; needed when ``teacher_weight < 1``.
    teacher_weight : float in [0, 1], default=1.0
        Weight ``w`` of the teacher's outputs in the targets.
    temperature : float > 0 and finite, default=1.0
        Softmax/sigmoid temperature ``T`` of the classifiers' soft targets.
    eval_set : tuple (X_val, y_val) or None, default=None
        Validation data for the student's early stopping; its targets are built
        the same way (``y_val`` may be None when ``teacher_weight == 1``).

    Returns
    -------
    model : fitted clone of ``student``
        An ordinary fitted estimator (``predict``, ``predict_proba``, pickle).

    Examples
    --------
    >>> from sklearn.metrics import roc_auc_score
    >>> from skfeat.compress import distill
    >>> from skfeat.datasets import make_interaction_classification
    >>> from skfeat.models import DeepFMClassifier, FMClassifier
    >>> X, y, _ = make_interaction_classification(2000, 6, random_state=0)
    >>> teacher = DeepFMClassifier(embed_dim=8, hidden_units=(32,), max_epochs=5,
    ...                            random_state=0).fit(X, y)
    >>> student = distill(teacher, FMClassifier(embed_dim=4, max_epochs=5,
    ...                                         random_state=0), X)
    >>> student.predict_proba(X[:2]).shape
    (2, 2)
    """
    check_field_model(teacher, "distill")
    from skfeat.models import BaseFieldModel

    if not isinstance(student, BaseFieldModel):
        raise TypeError(
            "distill needs a skfeat model (a BaseFieldModel) as student, got "
            f"{type(student).__name__}."
        )
    if is_classifier(teacher) != is_classifier(student):
        kind = "classifier" if is_classifier(teacher) else "regressor"
        raise TypeError(
            f"The student must be a {kind} like the teacher "
            f"{type(teacher).__name__}, got {type(student).__name__}."
        )
    if isinstance(teacher_weight, bool) or not isinstance(teacher_weight, Real):
        raise TypeError(f"teacher_weight must be a float, got {teacher_weight!r}.")
    if not 0 <= teacher_weight <= 1:
        raise ValueError(f"teacher_weight must be in [0, 1], got {teacher_weight}.")
    if isinstance(temperature, bool) or not isinstance(temperature, Real):
        raise TypeError(f"temperature must be a float, got {temperature!r}.")
    if not (temperature > 0 and np.isfinite(temperature)):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}.")
    if y is None and teacher_weight < 1:
        raise ValueError("distill needs y when teacher_weight < 1.")

    options = {
        name: value
        for name, value in teacher.get_params().items()
        if name in _FIELD_PARAMS and name in student.get_params()
    }
    missing = [
        name
        for name in _FIELD_PARAMS
        if name in teacher.get_params()
        and name not in student.get_params()
        and teacher.get_params()[name] not in (None, "vocabulary")
    ]
    if missing:
        raise ValueError(
            f"The teacher {type(teacher).__name__} encodes its fields with "
            f"{ {m: teacher.get_params()[m] for m in missing} }, which the student "
            f"{type(student).__name__} does not take; choose a student with these "
            "parameters."
        )
    model = clone(student).set_params(**options)
    variant = _Distillation(teacher, teacher_weight, temperature, is_classifier(model))
    return model.fit_variant(variant, X, y, eval_set=eval_set)


#: estimator parameters that decide the field encoding: a student takes the
#: teacher's, so that refitting a clone reproduces the same encoding
_FIELD_PARAMS = (
    "categorical_features",
    "min_frequency",
    "numeric_bins",
    "vector_features",
    "multi_value_features",
    "categorical_encoding",
    "hash_buckets",
)


class _Distillation(FitVariant):
    """Distillation as a fit variant: the teacher's field encoding and classes
    are taken over as they are, the targets are the teacher's soft outputs
    mixed with the labels, and the loss is the soft-target loss."""

    name = "distill"

    def __init__(self, teacher, teacher_weight, temperature, classifier):
        self.teacher = teacher
        self.teacher_weight = teacher_weight
        self.temperature = temperature
        self.classifier = classifier

    def fields_from(self):
        return self.teacher

    def targets(self, X, y):
        soft = _teacher_targets(self.teacher, X, self.temperature)
        w = self.teacher_weight
        if w < 1:
            if self.classifier:
                hard = _one_hot(self.teacher.classes_, np.asarray(y), soft.ndim)
            else:
                hard = np.asarray(y, dtype=np.float64)
            soft = w * soft + (1 - w) * hard
        return soft

    def criterion(self, default):
        if self.classifier:
            return SoftTargetLoss(self.temperature)
        return default


def _one_hot(classes, y, ndim):
    """Labels as the soft targets' form: P(positive) (binary) or one-hot rows."""
    y = np.ravel(y)
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"y contains labels {unseen.tolist()} that are not among the "
            f"teacher's classes {classes.tolist()}."
        )
    codes = np.searchsorted(classes, y)
    if ndim == 1:
        return codes.astype(np.float64)
    return np.eye(len(classes))[codes]


def _teacher_targets(teacher, X, temperature):
    """Teacher outputs as targets: tempered probabilities, or predicted values."""
    if not is_classifier(teacher):
        return np.asarray(teacher.predict(X), dtype=np.float64)
    z = np.asarray(teacher.decision_function(X), dtype=np.float64) / temperature
    if z.ndim == 1:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
