"""Distillation of a fitted model into a smaller one with the same field encoding."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import clone, is_classifier
from sklearn.utils import check_random_state

from skfeat.compress._common import check_field_model
from skfeat.models._engine import forget_validation

#: fitted preprocessing state a student takes over from its teacher
_PREPROCESSING_ATTRS = (
    "n_features_in_",
    "feature_names_in_",
    "is_categorical_",
    "_input_kind_",
    "encoder_",
    "schema_",
    "classes_",
    "_label_encoder",
    "_target_mean",
    "_target_scale",
)


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
    temperature : float > 0, default=1.0
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
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}.")
    if y is None and teacher_weight < 1:
        raise ValueError("distill needs y when teacher_weight < 1.")

    model = clone(student).set_params(
        categorical_features=teacher.categorical_features,
        min_frequency=teacher.min_frequency,
    )
    model._validate_params()
    for name in _PREPROCESSING_ATTRS:
        if hasattr(teacher, name):
            setattr(model, name, getattr(teacher, name))
    model._seed_ = int(
        check_random_state(model.random_state).randint(np.iinfo(np.int32).max)
    )

    def targets(X_part, y_part, name):
        X_part = model._check_X(X_part, reset=False)
        soft = _teacher_targets(teacher, X_part, temperature)
        if teacher_weight < 1:
            hard = model._encode_y(model._as_1d(y_part, name), name=name)
            if is_classifier(model) and soft.ndim == 2:
                hard = np.eye(soft.shape[1], dtype=np.float32)[hard]
            soft = teacher_weight * soft + (1 - teacher_weight) * hard
        return model._dataset(X_part, soft.astype(np.float32), None)

    dataset = targets(X, y, "y")
    n_samples = len(dataset)
    early_stopping = model._resolve_early_stopping(n_samples, eval_set)
    valid_dataset = None
    if eval_set is not None:
        if not isinstance(eval_set, (tuple, list)) or len(eval_set) != 2:
            raise ValueError("eval_set must be a tuple (X_val, y_val).")
        valid_dataset = targets(eval_set[0], eval_set[1], "y_val")
    elif early_stopping:
        # stratify on the hard labels where there are any
        strata = dataset.y if y is None else model._encode_y(model._as_1d(y))
        dataset, valid_dataset = model._split_validation(dataset, strata)

    loss = (
        SoftTargetLoss(temperature)
        if is_classifier(model)
        else torch.nn.MSELoss(reduction="none")
    )
    with model._seeded(model._seed_):
        module = model._new_module()
        # the soft-target loss goes in through net_params, which is restored
        net_params = model.net_params
        model.net_params = {**(net_params or {}), "criterion": loss}
        try:
            net = model._new_net(
                module,
                batch_size=model._resolve_batch_size(n_samples),
                valid_dataset=valid_dataset,
                early_stopping=bool(early_stopping) and valid_dataset is not None,
            )
        finally:
            model.net_params = net_params
        net.fit(dataset, None)
    # later partial_fit calls train on labels again, with the usual loss
    net.criterion_ = model._criterion()
    forget_validation(net)
    model.net_ = net
    model.n_iter_ = len(net.history)
    return model


def _teacher_targets(teacher, X, temperature):
    """Teacher outputs as float32 targets: tempered probabilities, or scaled values."""
    raw = teacher._raw_output(X)
    if is_classifier(teacher):
        z = raw / temperature
        if z.ndim == 1:
            return 1.0 / (1.0 + np.exp(-z))
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
    return raw  # the standardised target scale the student trains in
