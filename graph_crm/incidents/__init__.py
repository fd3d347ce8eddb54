"""Incidents (pure): a disruption at a source, its immutable report versions, the diff
between two versions, and the team's work on it (status, owner, notes, checklist).

Nothing here reads a store or a clock: times and ids come in as arguments. The store
keeps what :mod:`.records` makes of it; ``services/incidents.py`` ties it to reports.
"""
