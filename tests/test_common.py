"""scikit-learn's estimator checks on every public skfeat estimator and transformer."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skfeat.utils.discovery import all_estimators
from tests._instances import expected_failed_checks, make_instance

ESTIMATORS = [make_instance(cls) for _, cls in all_estimators()]


def test_discovery_finds_the_fm_family():
    names = {name for name, _ in all_estimators()}
    assert {"FMClassifier", "FMRegressor", "FwFMClassifier", "FwFMRegressor"} <= names


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
