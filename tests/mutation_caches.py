"""A pytest plugin for mutation runs only (`[tool.mutation] pytest_args`): empty the project's
function caches before each test.

mutmut learns which tests reach a function by running them once. A cached function (the VTIMEZONE's
transitions, the problem file's defaults) runs only for the first test that needs it, so only that
test would be tried against its mutants, and the tests that check its result never would.
"""

from __future__ import annotations

import sys

import pytest

PACKAGES = ("scheduler", "solver", "webapp")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in PACKAGES and module is not None:
            for value in list(vars(module).values()):
                defined_here = getattr(value, "__module__", None) == name
                if defined_here and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
