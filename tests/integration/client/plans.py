"""A launch plan over the shared test app `pipelines.workflows.arithmetic`, named for these tests alone.

flytekit refuses two launch plans of one name for different workflows in one process, so the client's tests
define their own name instead of importing another test folder's launch plans.
"""

from __future__ import annotations

from flytekit import LaunchPlan
from tests.integration.support import use_apps

use_apps()
from pipelines import workflows  # noqa: E402

client_fixed = LaunchPlan.get_or_create(
    workflows.arithmetic, name="client_fixed", default_inputs={"a": 10}, fixed_inputs={"b": 5}
)
