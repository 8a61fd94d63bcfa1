"""Classifier and regressor behaviour of skfeat's field models: targets,
losses and the output link."""

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets

from skfeat.utils._validation import MAX_ABS_MODEL_INPUT, check_float32_range


class FieldClassifierMixin:
    """Label encoding, losses and probability outputs for skfeat classifiers."""

    def _is_classifier_model(self):
        return True

    def _output_scale(self):
        """``(scale, shift)`` from the module's output to the model's: none."""
        return 1.0, 0.0

    def _check_y(self, y, *, reset, classes=None, partial=False):
        y = self._as_1d(y)
        check_classification_targets(y)
        if reset:
            if classes is None and partial:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            label_source = y if classes is None else np.asarray(classes)
            self._label_encoder = LabelEncoder().fit(label_source)
            self.classes_ = self._label_encoder.classes_
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in "
                    f"the data, but the data contains only one class: "
                    f"{self.classes_[0]!r}."
                )
        return self._encode_y(y)

    def _encode_y(self, y, name="y"):
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"{name} contains labels {unseen.tolist()} that are not among the "
                f"classes seen in fit {self.classes_.tolist()}."
            )
        codes = self._label_encoder.transform(y)
        if len(self.classes_) == 2:
            return codes.astype(np.float32)
        return codes.astype(np.int64)

    def _n_outputs(self):
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _criterion(self):
        if len(self.classes_) == 2:
            return torch.nn.BCEWithLogitsLoss(reduction="none")
        return torch.nn.CrossEntropyLoss(reduction="none")

    def decision_function(self, X):
        """Logit of the positive class (binary) or per class (multiclass).

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The logits.
        """
        return self._raw_output(X)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        scores = self._raw_output(X)
        if scores.ndim == 1:
            with np.errstate(over="ignore"):  # exp overflow gives exactly 0 or 1
                p = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The class of highest probability for each row.
        """
        scores = self._raw_output(X)
        if scores.ndim == 1:
            index = (scores > 0).astype(np.int64)
        else:
            index = scores.argmax(axis=1)
        return self.classes_[index]


class FieldRegressorMixin:
    """Target scaling and losses for skfeat regressors.

    The target is standardised for training (mean ``0``, variance ``1``) and
    predictions are mapped back, so the learning rate does not depend on the
    target's units.
    """

    def _check_y(self, y, *, reset, classes=None, partial=False):
        y = self._as_1d(y)
        try:
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{type(self).__name__} needs a numeric target y: {exc}"
            ) from exc
        assert_all_finite(y, input_name="y")
        check_float32_range(y, "y")
        if reset:
            scale = float(np.std(y))
            self._target_mean = float(np.mean(y))
            self._target_scale = scale if scale > 0 else 1.0
        return self._encode_y(y)

    def _weight_target_scale(self, y, sample_weight):
        """Standardise the target with its weighted mean and deviation (a row of
        weight k counts as k rows); returns the re-encoded target."""
        y = np.asarray(self._as_1d(y), dtype=np.float64)
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.sum() > 0:
            mean = float(np.average(y, weights=w))
            scale = float(np.sqrt(np.average((y - mean) ** 2, weights=w)))
            self._target_mean = mean
            self._target_scale = scale if scale > 0 else 1.0
        return self._encode_y(y)

    def _encode_y(self, y, name="y"):
        y = np.asarray(y, dtype=np.float64)
        assert_all_finite(y, input_name=name)
        check_float32_range(y, name)
        z = (y - self._target_mean) / self._target_scale
        check_float32_range(
            z,
            f"{name}, standardised with the mean and deviation of the targets seen "
            "when the model was first fitted,",
            limit=MAX_ABS_MODEL_INPUT,
        )
        return z.astype(np.float32)

    def _n_outputs(self):
        return 1

    def _output_scale(self):
        """``(scale, shift)`` from the module's output to the target's units."""
        return self._target_scale, self._target_mean

    def _criterion(self):
        return torch.nn.MSELoss(reduction="none")

    def predict(self, X):
        """Predicted target values.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted value for each row, in the target's units.
        """
        return self._raw_output(X) * self._target_scale + self._target_mean
