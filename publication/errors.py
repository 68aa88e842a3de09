class PublicationError(Exception):
    """A publication step refused; the message says why, for the Secretariat."""
