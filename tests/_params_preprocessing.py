"""Common-check settings for the transformers (class name -> params / xfails)."""

PREPROCESSING_PARAMS = {
    # the checks feed numeric arrays: read their columns as categories, as the
    # crosses do, and keep the inner FM small
    "EmbeddingEncoder": {"categorical_features": "all", "max_epochs": 5},
    "InteractionSelector": {
        "categorical_features": "all",
        "n_background": 20,
        "n_explain": 20,
    },
    "SparseInteractionCoder": {"n_components": 3, "max_iter": 10},
}
PREPROCESSING_XFAILS = {}
