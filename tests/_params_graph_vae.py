"""Common-check settings for the graph and variational models."""

GRAPH_VAE_PARAMS = {
    "VAEClassifier": {"latent_dim": 4, "tower_units": (16,), "beta": 1e-3},
    "VAERegressor": {"latent_dim": 4, "tower_units": (16,), "beta": 1e-3},
    "FiGNNClassifier": {"gnn_layers": 2, "learning_rate": 0.02, "alpha": 0.0},
    "FiGNNRegressor": {"gnn_layers": 2, "learning_rate": 0.02, "alpha": 0.0},
    "MultVAE": {
        "latent_dim": 4,
        "hidden_units": (8,),
        "max_epochs": 2,
        "batch_size": 16,
    },
    # the common checks' toy matrices: a few epochs of small batches
    "LightGCN": {"n_layers": 2, "max_epochs": 2, "batch_size": 16},
}
GRAPH_VAE_XFAILS = {}
