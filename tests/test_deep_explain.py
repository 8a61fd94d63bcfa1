"""The explainers on the deep models: hybrid path, recovery of planted pairs."""

import numpy as np
import pytest

from skfeat.datasets import make_interaction_classification, make_interaction_regression
from skfeat.explain import InteractionExplainer, rank_interactions
from skfeat.models import DeepFMClassifier, DeepFMRegressor, WideDeepRegressor

# the T6 settings of MODELS_AND_EXPLAIN.md: FM k = 8 plus a 64-32 MLP, Adam 0.01,
# batch 1024, 10 epochs, no weight decay
T6 = dict(
    embed_dim=8,
    hidden_units=(64, 32),
    dropout=0.0,
    batch_norm=False,
    alpha=0.0,
    batch_size=1024,
    learning_rate=0.01,
    max_epochs=10,
    early_stopping=False,
)


@pytest.mark.parametrize(
    "seed, maker, Model",
    [
        (0, make_interaction_classification, DeepFMClassifier),
        (1, make_interaction_classification, DeepFMClassifier),
        (2, make_interaction_regression, DeepFMRegressor),
    ],
)
def test_deepfm_planted_pairs_are_top_ranked(seed, maker, Model):
    X, y, truth = maker(n_samples=20_000, random_state=seed)
    model = Model(**T6, random_state=seed).fit(X.iloc[:16_000], y[:16_000])
    # exact FM part, MLP part by enumeration of its 2^8 coalitions (within the
    # default budget)
    explainer = InteractionExplainer(model, X.iloc[:30], random_state=seed)
    assert explainer.method_ == "enumeration" and explainer.control_variate_
    inter = explainer.shap_interaction_values(X.iloc[16_000:16_060])
    ranking = rank_interactions(inter)
    top = {tuple(sorted(p)) for p in ranking[["feature_a", "feature_b"]].values[:3]}
    assert top == {tuple(sorted(p)) for p in truth.pairs}
    scores = ranking["mean_abs_interaction"].to_numpy()
    assert scores[2] >= 1.5 * scores[3]
    # efficiency holds exactly: the values sum to the output minus the base value
    np.testing.assert_allclose(
        inter.values.sum((1, 2)) + inter.base_values,
        model.decision_function(X.iloc[16_000:16_060])
        if hasattr(model, "decision_function")
        else model.predict(X.iloc[16_000:16_060]),
        atol=1e-6,
    )


def test_wide_deep_uses_the_hybrid_path():
    X, y, _ = make_interaction_regression(
        n_samples=1000, n_fields=4, interactions=1, random_state=0
    )
    model = WideDeepRegressor(**{**T6, "max_epochs": 2}, random_state=0).fit(X, y)
    explainer = InteractionExplainer(model, X.iloc[:10], budget=16, random_state=0)
    assert explainer.method_ == "enumeration" and explainer.control_variate_
    values = explainer.shap_values(X.iloc[:5])
    np.testing.assert_allclose(
        values.values.sum(1) + values.base_values, model.predict(X.iloc[:5]), atol=1e-6
    )
