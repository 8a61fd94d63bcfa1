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
    ensemble_output="mean_proba",
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

    The teacher may also be a fitted soft-voting ensemble of skfeat models
    (``VotingClassifier(voting="soft")`` or ``VotingRegressor``): the student
    takes over the field encoding of its first member, and learns the
    ensemble's output, so that one model answers at the cost of one.

    Parameters
    ----------
    teacher : BaseFieldModel or VotingClassifier or VotingRegressor
        A fitted skfeat model trained on field input, e.g. a ``DeepFMClassifier``,
        or a fitted voting ensemble whose members are such models.
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
    ensemble_output : {"mean_proba", "mean_logit"}, default="mean_proba"
        What a voting classifier teaches: its own ``predict_proba`` (the weighted
        mean of the members' probabilities), or the sigmoid (softmax) of the
        weighted mean of the members' ``decision_function``, the ensemble that
        averages logits. Ignored for a single model and for regressors.

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

    One model taught by a soft-voting ensemble's mean logit:

    >>> from sklearn.ensemble import VotingClassifier
    >>> vote = VotingClassifier(
    ...     [(f"fm{s}", FMClassifier(embed_dim=4, max_epochs=5, random_state=s))
    ...      for s in (0, 1)], voting="soft").fit(X, y)
    >>> one = distill(vote, FMClassifier(embed_dim=4, max_epochs=5, random_state=0),
    ...               X, ensemble_output="mean_logit")
    >>> one.classes_.tolist() == vote.classes_.tolist()
    True
    """
    from skfeat.explain._ensemble import ENSEMBLE_OUTPUTS, check_voting, is_voting

    if ensemble_output not in ENSEMBLE_OUTPUTS:
        raise ValueError(
            f"ensemble_output must be one of {ENSEMBLE_OUTPUTS}, got "
            f"{ensemble_output!r}."
        )
    if is_voting(teacher):
        check_voting(teacher, ensemble_output)
        fields = _field_source(teacher)
    else:
        fields = teacher
    check_field_model(fields, "distill")
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
        for name, value in fields.get_params().items()
        if name in _FIELD_PARAMS and name in student.get_params()
    }
    teacher_params = fields.get_params()
    hashed = teacher_params.get("categorical_encoding") == "hash"
    missing = [
        name
        for name in _FIELD_PARAMS
        if name in teacher_params
        and name not in student.get_params()
        and teacher_params[name] not in (None, "vocabulary")
        # the number of hash buckets means nothing without hashing
        and (name != "hash_buckets" or hashed)
    ]
    if missing:
        raise ValueError(
            f"The teacher {type(fields).__name__} encodes its fields with "
            f"{ {m: teacher_params[m] for m in missing} }, which the student "
            f"{type(student).__name__} does not take; choose a student with these "
            "parameters."
        )
    model = clone(student).set_params(**options)
    variant = _Distillation(
        teacher, teacher_weight, temperature, is_classifier(model), fields,
        ensemble_output,
    )  # fmt: skip
    return model.fit_variant(variant, X, y, eval_set=eval_set)


def _field_source(ensemble):
    """The member of a fitted voting ensemble whose field encoding a student
    takes over (with the ensemble's classes: see ``_Distillation.classes``)."""
    from sklearn.utils.validation import check_is_fitted

    from skfeat.explain._ensemble import voting_members

    check_is_fitted(ensemble)
    members = [member for member, _ in voting_members(ensemble)]
    for member in members:
        check_field_model(member, "distill (every member of the ensemble)")
    return members[0]


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

    def __init__(
        self, teacher, teacher_weight, temperature, classifier, fields,
        ensemble_output,
    ):  # fmt: skip
        self.teacher = teacher
        self.teacher_weight = teacher_weight
        self.temperature = temperature
        self.classifier = classifier
        self.fields = fields
        self.ensemble_output = ensemble_output

    def fields_from(self):
        return self.fields

    def classes(self):
        # a voting ensemble's members saw its labels encoded as 0 .. n - 1
        if self.fields is not self.teacher and self.classifier:
            return self.teacher.classes_
        return None

    def targets(self, X, y):
        soft = _teacher_targets(
            self.teacher, X, self.temperature, self.ensemble_output
        )
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


def _teacher_targets(teacher, X, temperature, ensemble_output="mean_proba"):
    """Teacher outputs as targets: tempered probabilities, or predicted values."""
    from skfeat.explain._ensemble import is_voting, voting_function, voting_members

    if not is_classifier(teacher):
        return np.asarray(teacher.predict(X), dtype=np.float64)
    if not is_voting(teacher):
        z = np.asarray(teacher.decision_function(X), dtype=np.float64)
    elif len(teacher.classes_) == 2:
        # the ensemble's log-odds, as the explainer defines them
        z = voting_function(teacher, ensemble_output, None)(X)
    elif ensemble_output == "mean_logit":
        z = sum(
            w * np.asarray(member.decision_function(X), dtype=np.float64)
            for member, w in voting_members(teacher)
        )
    else:
        z = np.log(np.clip(teacher.predict_proba(X), 1e-300, None))
    z = z / temperature
    if z.ndim == 1:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
