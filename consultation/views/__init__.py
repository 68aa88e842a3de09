"""Views of the consultation app: the delegation workspace, offline round trips, the Secretariat."""
