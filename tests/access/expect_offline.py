"""Expected status per actor for the offline round trip and the exports of one's own reply (namespace ``offline``).

Delegation URLs never name a Party: member B and head B reach *their own* Party's (submitted) reply, never A's.
Reading (downloads, exports) is open to the Party's members and heads; importing needs an editable reply, so B's
submitted reply refuses uploads with 403. Everyone without a delegation gets 404. The matrix POSTs an empty body:
the upload form answers 400 (no file) for A; the preview token of the matrix does not exist (404).
"""

ANON_LOGIN = 302
FAKE_TOKEN = "matrix-token-that-does-not-exist-000000"


def _slug(world):
    return {"slug": world.consultation.slug}


def _blank(world):
    return {"slug": world.consultation.slug, "language": "fr"}


def _token(world):
    return {"slug": world.consultation.slug, "token": FAKE_TOKEN}


READ = {
    "anonymous": ANON_LOGIN,
    "member_a": 200,
    "head_a": 200,
    "member_b": 200,
    "head_b": 200,
    "secretariat": 404,
    "committee": 404,
    "admin": 404,
}
METHOD_NOT_ALLOWED = {
    "anonymous": ANON_LOGIN,
    "member_a": 405,
    "head_a": 405,
    "member_b": 405,
    "head_b": 405,
    "secretariat": 405,
    "committee": 405,
    "admin": 405,
}

EXPECTATIONS = {
    "offline:index": {"kwargs": _slug, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:xlsx_export": {"kwargs": _slug, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:questionnaire_docx": {"kwargs": _slug, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:reply_docx": {"kwargs": _slug, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:reply_pdf": {"kwargs": _slug, "get": READ, "post": METHOD_NOT_ALLOWED},
    # The blank questionnaire (no answer in it) for the national consultation: every delegation, nobody else.
    "offline:blank_pdf": {"kwargs": _blank, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:blank_docx": {"kwargs": _blank, "get": READ, "post": METHOD_NOT_ALLOWED},
    "offline:xlsx_import": {
        "kwargs": _slug,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 400,
            "head_a": 400,
            "member_b": 403,
            "head_b": 403,
            "secretariat": 404,
            "committee": 404,
            "admin": 404,
        },
    },
    "offline:import_preview": {
        "kwargs": _token,
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 404,
            "head_a": 404,
            "member_b": 403,
            "head_b": 403,
            "secretariat": 404,
            "committee": 404,
            "admin": 404,
        },
        "post": METHOD_NOT_ALLOWED,
    },
    "offline:import_confirm": {
        "kwargs": _token,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 404,
            "head_a": 404,
            "member_b": 403,
            "head_b": 403,
            "secretariat": 404,
            "committee": 404,
            "admin": 404,
        },
    },
}
