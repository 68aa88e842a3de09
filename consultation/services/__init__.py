"""Writes of the consultation app, one module per area (answers, responses, lifecycle, ...)."""
