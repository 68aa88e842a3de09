"""Expected status per actor for the project-level pages (landing, home) and the invitation pages."""

from tests.access.world import invitation_pending_a

ANON_LOGIN = 302  # anonymous visitors are sent to the log-in page

EXPECTATIONS = {
    "landing": {
        "get": {
            "anonymous": 200,
            "member_a": 200,
            "head_a": 200,
            "member_b": 200,
            "head_b": 200,
            "secretariat": 200,
            "committee": 200,
            "admin": 200,
            "stakeholder": 200,
            "facilitator": 200,
        },
    },
    # Each role is sent to its workspace; the administrator (no platform role) sees the "no role" page.
    "home": {
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 302,
            "head_b": 302,
            "secretariat": 302,
            "committee": 302,
            "admin": 200,
            "stakeholder": 302,
            "facilitator": 302,
        },
    },
    # The Secretariat and heads of delegation; an empty POST re-displays the form with its errors (400).
    "accounts:invitations": {
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 200,
            "member_b": 403,
            "head_b": 200,
            "secretariat": 200,
            "committee": 403,
            "admin": 403,
        },
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 400,
            "member_b": 403,
            "head_b": 400,
            "secretariat": 400,
            "committee": 403,
            "admin": 403,
        },
    },
    # A pending invitation of Party A: head A or the Secretariat revoke it; head B may not know it exists (404).
    "accounts:invitation_revoke": {
        "kwargs": lambda world: {"pk": invitation_pending_a(world)[0].pk},
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 405,
            "head_a": 405,
            "member_b": 405,
            "head_b": 405,
            "secretariat": 405,
            "committee": 405,
            "admin": 405,
        },
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 302,
            "member_b": 403,
            "head_b": 404,
            "secretariat": 302,
            "committee": 403,
            "admin": 403,
        },
    },
    # Member A's membership: head A or the Secretariat remove it; head B gets 404.
    "accounts:member_remove": {
        "kwargs": lambda world: {"pk": world.member_a.membership.pk},
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 405,
            "head_a": 405,
            "member_b": 405,
            "head_b": 405,
            "secretariat": 405,
            "committee": 405,
            "admin": 405,
        },
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 302,
            "member_b": 403,
            "head_b": 404,
            "secretariat": 302,
            "committee": 403,
            "admin": 403,
        },
    },
    # The link from the e-mail is public; someone signed in as another person is told to sign out (403).
    # An empty POST re-displays the form with its errors (400).
    "accounts:invitation_accept": {
        "kwargs": lambda world: {"token": invitation_pending_a(world)[1]},
        "get": {
            "anonymous": 200,
            "member_a": 403,
            "head_a": 403,
            "member_b": 403,
            "head_b": 403,
            "secretariat": 403,
            "committee": 403,
            "admin": 403,
        },
        "post": {
            "anonymous": 400,
            "member_a": 403,
            "head_a": 403,
            "member_b": 403,
            "head_b": 403,
            "secretariat": 403,
            "committee": 403,
            "admin": 403,
        },
    },
}
