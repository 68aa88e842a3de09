"""Writes about people. ``audit_record`` and ``client_ip`` stay importable from here, since every other
app's services record into the audit trail; the account writes seed_demo and the views use are re-exported too.
"""

from .audit import audit_record, client_ip
from .people import (
    MembershipConflict,
    membership_remove,
    membership_set,
    role_grant,
    role_revoke,
    user_create,
    user_deactivate,
    user_language_set,
)

__all__ = [
    "MembershipConflict",
    "audit_record",
    "client_ip",
    "membership_remove",
    "membership_set",
    "role_grant",
    "role_revoke",
    "user_create",
    "user_deactivate",
    "user_language_set",
]
