"""Common-check settings for the deep models (class name -> params / xfails).

Small towers and no regularisation keep the checks fast and let the toy problems
be fitted in the 40 epochs of ``INIT_PARAMS``; batch norm stays on (the default)
so that its eval-mode path is checked too.
"""

_SMALL = {"hidden_units": (16,), "dropout": 0.0, "alpha": 0.0}

DEEP_PARAMS = {
    **{
        f"{model}{kind}": dict(_SMALL)
        for model in ("DNN", "WideDeep", "DeepFM")
        for kind in ("Classifier", "Regressor")
    },
    **{
        f"DCN{kind}": {**_SMALL, "cross_layers": 2}
        for kind in ("Classifier", "Regressor")
    },
    **{
        f"AutoInt{kind}": {
            **_SMALL,
            "attention_layers": 1,
            "attention_dim": 8,
            "num_heads": 2,
        }
        for kind in ("Classifier", "Regressor")
    },
    **{
        f"FinalMLP{kind}": {
            "mlp1_hidden_units": (16,),
            "mlp2_hidden_units": (8,),
            "mlp1_dropout": 0.0,
            "mlp2_dropout": 0.0,
            "fs_hidden_units": (8,),
            "num_heads": 2,
            "alpha": 0.0,
        }
        for kind in ("Classifier", "Regressor")
    },
}
DEEP_XFAILS = {}
