"""Celery tasks of the consultation app: thin, idempotent, taking ids and calling services."""
