class FollowUpError(Exception):
    """A follow-up or compliance step refused; the message says why, in the reader's language."""
