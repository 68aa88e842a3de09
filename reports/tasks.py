"""Celery tasks of the reports app."""
