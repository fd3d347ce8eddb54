"""The GraphQL API: a Starlette app serving the core schema at ``/graphql``."""

from __future__ import annotations

from graph_crm.api.app import create_app
from graph_crm.api.live import served_sdl
from graph_crm.api.schema import core_schema, core_sdl

__all__ = ["core_schema", "core_sdl", "create_app", "served_sdl"]
