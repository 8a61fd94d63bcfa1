"""Common-check settings for DCNv3 and FinalNet (class name -> params / xfails).

Small networks and no regularisation keep the checks fast and let the toy
problems be fitted in the 40 epochs of ``INIT_PARAMS``; FinalNet keeps batch
norm on (its default) so that its eval-mode path is checked too.
"""

FRONTIER_PARAMS = {
    **{
        f"DCNv3{kind}": {
            "lcn_layers": 2,
            "ecn_layers": 2,
            "dropout": 0.0,
            "alpha": 0.0,
        }
        for kind in ("Classifier", "Regressor")
    },
    **{
        f"FinalNet{kind}": {"hidden_units": (16,), "dropout": 0.0, "alpha": 0.0}
        for kind in ("Classifier", "Regressor")
    },
}
FRONTIER_XFAILS = {}
