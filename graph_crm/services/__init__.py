"""Orchestration over a store: what the API and the command line both do.

The layer above the store and below ``api``/``cli``: an impact report end to end,
seeds and the demo, export and import, API keys. The pure core (``model``, ``impact``)
never imports it.
"""
