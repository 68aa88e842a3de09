"""Reads of the consultation app, one module per area."""
