"""Package layout: `ltr`, `pytracking`, and `prroi_pool` (which lives in external/prroi_pool)."""
from setuptools import find_packages, setup

packages = find_packages(include=["ltr", "ltr.*", "pytracking", "pytracking.*"])
prroi_packages = ["prroi_pool"] + [
    "prroi_pool." + p for p in find_packages(where="external/prroi_pool")
]

setup(
    packages=packages + prroi_packages,
    package_dir={"prroi_pool": "external/prroi_pool"},
    package_data={"pytracking.evaluation": ["*.tsv"], "pytracking.features": ["data/*.npy", "data/*.md"],
                  "ltr": ["data_specs/*.txt"]},
)
