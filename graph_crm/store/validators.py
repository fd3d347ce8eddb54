"""The rules a store hands every registry it builds (see ``Registry.validators``): stored
impact policies must still compile, and computed properties must still check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from graph_crm.impact.policy_registry import REGISTRY_VALIDATORS as POLICY_VALIDATORS
from graph_crm.model.formula.stored import COMPUTED_VALIDATOR
from graph_crm.model.registry import RegistryValidator

REGISTRY_VALIDATORS: Final[Sequence[RegistryValidator]] = (*POLICY_VALIDATORS, COMPUTED_VALIDATOR)
