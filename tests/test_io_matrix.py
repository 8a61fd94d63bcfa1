"""skfeat.io round trips, bit for bit: every field model with every encoder
option, compressed models at their compressed size, and scikit-learn pipelines
of skfeat models and preprocessing steps (anything else refused by step name)."""

import pickle

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)
from sklearn.svm import LinearSVC

from skfeat.compress import embedding_nbytes, prune_embeddings, quantize_embeddings
from skfeat.io import load, save
from skfeat.models import (
    BaseFieldModel,
    DeepFMClassifier,
    DNNRegressor,
    FMClassifier,
    FMRegressor,
)
from skfeat.utils.discovery import all_estimators
from tests._fit_paths import frame
from tests._instances import make_instance

FIELD_MODELS = [c for _, c in all_estimators() if issubclass(c, BaseFieldModel)]
ENCODER_OPTIONS = {
    "numeric_bins": {"numeric_bins": 4},
    "vector_features": {"vector_features": {"emb": ["v0", "v1", "v2"]}},
    "hash": {"categorical_encoding": "hash", "hash_buckets": 32},
    "multi_value": {
        "multi_value_features": {
            "tags": {"pooling": "max"},
            "recent": {"target": "ad_id", "max_length": 3},
        }
    },
}
CASES = [
    (cls, option)
    for cls in FIELD_MODELS
    for option, params in ENCODER_OPTIONS.items()
    if set(params) <= set(cls().get_params())
]


def _round_trip(est, tmp_path):
    path = tmp_path / "model.safetensors"
    save(est, path)
    return load(path), path


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return np.column_stack([est.predict_proba(X), est.predict(X)])
    return est.predict(X)


@pytest.mark.parametrize(
    "cls, option", CASES, ids=[f"{c.__name__}-{o}" for c, o in CASES]
)
def test_every_model_with_every_encoder_option_round_trips(cls, option, tmp_path):
    X, y = frame()
    X, y = X.iloc[:300], y[:300]
    est = make_instance(cls).set_params(max_epochs=1, **ENCODER_OPTIONS[option])
    est.fit(X, X["age"].to_numpy() if "Regressor" in cls.__name__ else y)
    loaded, _ = _round_trip(est, tmp_path)
    np.testing.assert_array_equal(_outputs(loaded, X), _outputs(est, X))
    assert loaded.get_params().keys() == est.get_params().keys()


# ------------------------------------------------------------ compressed models
def _compressions():
    return {
        "int8": lambda m: quantize_embeddings(m, bits=8),
        "int4": lambda m: quantize_embeddings(m, bits=4),
        "pruned": lambda m: prune_embeddings(m, keep=0.5),
        "pruned-zero": lambda m: prune_embeddings(m, keep=0.3, fallback="zero"),
        "pruned-int4": lambda m: quantize_embeddings(
            prune_embeddings(m, keep=0.5), bits=4
        ),
    }


@pytest.fixture(scope="module")
def big_tables():
    from skfeat.datasets import make_interaction_classification

    X, y, _ = make_interaction_classification(2000, 6, cardinality=200, random_state=0)
    deep = DeepFMClassifier(embed_dim=32, hidden_units=(16,), max_epochs=1,
                            random_state=0).fit(X, y)  # fmt: skip
    return X, y, deep


@pytest.mark.parametrize("how", list(_compressions()))
def test_compressed_models_round_trip_at_their_compressed_size(
    how, big_tables, tmp_path
):
    X, y, deep = big_tables
    small = _compressions()[how](deep)
    loaded, path = _round_trip(small, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), small.predict_proba(X))
    assert getattr(loaded, "pruned_fraction_", None) == getattr(
        small, "pruned_fraction_", None
    )
    state = small.net_.module_.state_dict()
    dense = sum(
        v.numel() * v.element_size() for k, v in state.items() if ".table." not in k
    )
    compressed = embedding_nbytes(small) + dense
    raw = path.read_bytes()
    header = int.from_bytes(raw[:8], "little")
    # the tensors: the compressed tables and the dense layers, not the float ones
    assert len(raw) - 8 - header <= 1.2 * compressed
    # the whole file: plus the JSON (vocabularies, parameters), which is the
    # same for the full-precision model
    full = tmp_path / "full.safetensors"
    save(deep, full)
    full_header = int.from_bytes(full.read_bytes()[:8], "little")
    assert len(raw) <= 1.2 * compressed + full_header
    assert embedding_nbytes(loaded) == embedding_nbytes(small)


def test_a_pickled_compressed_model_holds_no_full_precision_tables(big_tables):
    _, _, deep = big_tables
    small = quantize_embeddings(deep, bits=8)
    assert small.net_.module is small.net_.module_
    assert len(pickle.dumps(small)) < len(pickle.dumps(deep)) / 4


def test_a_compressed_model_keeps_training_after_load(big_tables, tmp_path):
    X, y, deep = big_tables
    small = prune_embeddings(deep, keep=0.5)
    loaded, _ = _round_trip(small, tmp_path)
    small.partial_fit(X, y)
    loaded.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), small.predict_proba(X))


# ------------------------------------------------------------ pipelines
def _frame():
    X, y = frame()
    # the pipelines' column lists name every column; the text lists stay out
    X = X.drop(columns=["tags", "recent"]).iloc[:300].copy()
    X.loc[X.index[::7], "price"] = np.nan
    return X, y[:300]


NUM = ["price", "age", "v0"]
CAT = ["site", "device"]


def _pipelines():
    fm = dict(embed_dim=2, max_epochs=1, random_state=0)
    impute = SimpleImputer(strategy="median")
    return {
        "scaler-fm": make_pipeline(
            ColumnTransformer([("num", StandardScaler(), ["age", "v0"])]),
            FMRegressor(**fm),
        ),
        "onehot-impute-scale": Pipeline(
            [
                (
                    "prep",
                    ColumnTransformer(
                        [
                            ("num", make_pipeline(impute, StandardScaler()), NUM),
                            (
                                "cat",
                                OneHotEncoder(
                                    handle_unknown="ignore", sparse_output=False
                                ),
                                CAT,
                            ),
                        ]
                    ),
                ),
                ("fm", FMClassifier(**fm)),
            ]
        ),
        "ordinal-passthrough": Pipeline(
            [
                (
                    "prep",
                    ColumnTransformer(
                        [
                            (
                                "cat",
                                OrdinalEncoder(
                                    handle_unknown="use_encoded_value", unknown_value=-1
                                ),
                                CAT,
                            )
                        ],
                        remainder="passthrough",
                    ),
                ),
                ("fm", FMClassifier(**fm, categorical_features=[0, 1])),
            ]
        ),
        "minmax-maxabs-robust-bins": Pipeline(
            [
                (
                    "prep",
                    ColumnTransformer(
                        [
                            (
                                "a",
                                make_pipeline(SimpleImputer(), MinMaxScaler()),
                                ["price"],
                            ),
                            ("b", MaxAbsScaler(), ["age"]),
                            ("c", RobustScaler(), ["v0"]),
                            (
                                "d",
                                KBinsDiscretizer(
                                    n_bins=3,
                                    encode="ordinal",
                                    quantile_method="averaged_inverted_cdf",
                                ),
                                ["v1"],
                            ),
                            ("e", QuantileTransformer(n_quantiles=20), ["v2"]),
                        ],
                        remainder="drop",
                    ),
                ),
                ("dnn", DNNRegressor(hidden_units=(4,), **fm)),
            ]
        ),
        "union-indicator-poly": Pipeline(
            [
                (
                    "prep",
                    ColumnTransformer(
                        [
                            (
                                "num",
                                FeatureUnion(
                                    [
                                        (
                                            "filled",
                                            make_pipeline(
                                                SimpleImputer(), StandardScaler()
                                            ),
                                        ),
                                        ("missing", MissingIndicator(features="all")),
                                    ]
                                ),
                                ["price", "age"],
                            ),
                            ("poly", PolynomialFeatures(2), ["v0", "v1"]),
                        ]
                    ),
                ),
                ("fm", FMClassifier(**fm)),
            ]
        ),
        "preprocessing-only": ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(), StandardScaler()), NUM),
                ("cat", OneHotEncoder(handle_unknown="ignore"), CAT),
            ]
        ),
    }


@pytest.mark.parametrize("name", list(_pipelines()))
def test_pipelines_of_skfeat_models_and_preprocessing_round_trip(name, tmp_path):
    X, y = _frame()
    est = _pipelines()[name]
    target = X["v1"].to_numpy() if "Regressor" in str(est) else y
    est.fit(X, target)
    loaded, _ = _round_trip(est, tmp_path)
    assert type(loaded) is type(est)
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    if hasattr(est, "predict"):
        np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    else:
        a, b = est.transform(X), loaded.transform(X)
        a, b = (m.toarray() if hasattr(m, "toarray") else m for m in (a, b))
        np.testing.assert_array_equal(a, b)
    assert loaded.get_params(deep=False).keys() == est.get_params(deep=False).keys()


@pytest.mark.parametrize(
    "est, step",
    [
        (
            Pipeline(
                [
                    ("log", FunctionTransformer(np.log1p)),
                    ("fm", FMClassifier(max_epochs=1)),
                ]
            ),
            "log",
        ),  # fmt: skip
        (
            Pipeline([("scale", StandardScaler()), ("clf", LinearSVC())]),
            "clf",
        ),  # fmt: skip
        (
            ColumnTransformer(
                [
                    ("num", StandardScaler(), NUM),
                    ("f", FunctionTransformer(np.abs), ["v0"]),
                ]
            ),
            "f",
        ),  # fmt: skip
    ],
    ids=["function-transformer", "other-estimator", "column-transformer"],
)
def test_other_steps_are_refused_by_name(est, step, tmp_path):
    X, y = _frame()
    X = X.fillna(0)
    est.fit(X[NUM] if isinstance(est, Pipeline) else X, y)
    with pytest.raises(TypeError, match=rf"step '{step}'.*cannot save safely"):
        save(est, tmp_path / "refused.safetensors")
    assert not (tmp_path / "refused.safetensors").exists()
