"""The real explainer's home page stays within its page-weight budgets (scripts/budget.py)."""

import importlib.util

from conftest import REPO
from helpers import run_cli

spec = importlib.util.spec_from_file_location("budget", REPO / "scripts" / "budget.py")
budget = importlib.util.module_from_spec(spec)
spec.loader.exec_module(budget)


def test_home_page_is_within_budget(real_project):
    assert run_cli(real_project, "build").code == 0
    m = budget.measure(real_project / "site")
    assert m["total"] <= budget.TOTAL_BUDGET, m
    assert m["first_screen"] <= budget.FIRST_SCREEN_BUDGET, m
