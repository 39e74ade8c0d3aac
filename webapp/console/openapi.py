"""The OpenAPI 3.1 description of the console API, served at `/console/api/v1/openapi.json`.

Written out as a table of operations, so it reads as documentation; tests check that it is a valid
OpenAPI document and that its paths are exactly the API's routes.
"""

from __future__ import annotations

from typing import Any

from webapp.console.access import RULES

Json = dict[str, Any]
API_VERSION = "1.0.0"

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
OBJECT = {"type": "object"}
ARRAY = {"type": "array", "items": OBJECT}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: Json = {
    "Error": {
        "type": "object",
        "required": ["error", "status", "message"],
        "properties": {
            "error": STRING,
            "status": INTEGER,
            "message": STRING,
            "issues": {
                "type": "array",
                "items": STRING,
                "description": "Each problem found, with where it is (JSON path or sheet/row/column)",
            },
        },
    },
    "Job": {
        "type": "object",
        "required": ["id", "state", "params", "progress"],
        "properties": {
            "id": INTEGER,
            "kind": STRING,
            "state": {"enum": ["queued", "running", "done", "stopped", "failed"]},
            "params": OBJECT,
            "progress": {"type": "object", "description": "elapsed, objective, bound, gap, track_clashes"},
            "error": NULLABLE_STRING,
            "actor": STRING,
            "runner": {"enum": ["rq", "child"]},
            "draft": {"type": ["integer", "null"], "description": "The draft version the job made"},
            "created_at": NULLABLE_STRING,
            "started_at": NULLABLE_STRING,
            "finished_at": NULLABLE_STRING,
            "stop_requested": {"type": "boolean"},
        },
    },
    "Version": {
        "type": "object",
        "required": ["number", "state", "status"],
        "properties": {
            "number": INTEGER,
            "state": {"enum": ["draft", "published"]},
            "status": STRING,
            "objective": {"type": ["number", "null"]},
            "bound": {"type": ["number", "null"]},
            "note": STRING,
            "created_at": NULLABLE_STRING,
            "published_at": NULLABLE_STRING,
        },
    },
    "User": {
        "type": "object",
        "required": ["id", "email", "role", "status"],
        "properties": {
            "id": INTEGER,
            "email": STRING,
            "name": STRING,
            "role": {"enum": ["viewer", "editor", "admin"]},
            "status": STRING,
            "last_login_at": NULLABLE_STRING,
        },
    },
}

SOLVE_BODY = {
    "type": "object",
    "properties": {
        "time_limit": {"type": "number", "minimum": 1, "maximum": 3600, "default": 60},
        "replan": {
            "type": "boolean",
            "description": "Move as few sessions as possible from the published agenda",
        },
        "note": STRING,
    },
}
PUBLISH_BODY = {
    "type": "object",
    "properties": {
        "note": STRING,
        "confirm_broken_rules": {
            "type": "boolean",
            "description": "Publish although the checker finds broken hard rules (recorded in the audit log)",
        },
    },
}
LIVE_BODY = {"type": "object", "properties": {"minutes": {"type": "integer", "minimum": 0, "maximum": 720}}}
SETTLE_BODY = {
    "type": "object",
    "properties": {"reply": {"type": "string", "description": "Shown to the speaker"}},
}
USER_BODY = {
    "type": "object",
    "required": ["email"],
    "properties": {"email": STRING, "name": STRING, "role": {"enum": ["viewer", "editor", "admin"]}},
}
USER_CHANGE_BODY = {
    "type": "object",
    "required": ["change"],
    "properties": {
        "change": {"enum": ["role", "disable", "enable", "reset_password", "token", "revoke_tokens"]},
        "role": STRING,
        "label": STRING,
    },
}
MESSAGE_BODY = {
    "type": "object",
    "required": ["subject", "text"],
    "properties": {"subject": {"type": "string", "maxLength": 300}, "text": STRING},
}
MESSAGES_BODY = {
    "type": "object",
    "properties": {"ids": {"type": "array", "items": INTEGER}, "all": {"type": "boolean"}},
}
UPLOAD_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream",
                    "description": "A problem file (.json) or workbook (.xlsx)",
                }
            },
        }
    }
}

EDIT_BODY = {
    "type": "object",
    "required": ["revision"],
    "properties": {
        "revision": {
            "type": "integer",
            "description": "The draft's revision the edit is based on; a stale one is refused (409)",
        },
        "session": {"type": "string", "description": "move, place, swap, unschedule; pin/unpin one"},
        "sessions": {"type": "array", "items": STRING, "description": "pin, unpin: several at once"},
        "other": {"type": "string", "description": "swap: the second session"},
        "room": {"type": "string", "description": "move, place: the room's id"},
        "start": {"type": "string", "description": "move, place: local start, e.g. 2025-07-08T10:00"},
        "what": {"enum": ["both", "room", "start"], "description": "pin: what the pin holds"},
        "override": {
            "type": "boolean",
            "description": "Keep an edit that breaks hard rules, marked on the draft and in the audit log",
        },
    },
}
REPLAN_BODY = {
    "type": "object",
    "properties": {
        "time_limit": {"type": "number", "minimum": 1, "maximum": 3600, "default": 60},
        "note": STRING,
    },
}

# (method, path, endpoint, summary, request body, success status, response schema)
OPERATIONS: tuple[tuple[str, str, str, str, Json | None, str, Json], ...] = (
    ("get", "/openapi.json", "openapi", "This document", None, "200", OBJECT),
    ("get", "/me", "me", "Who the token or login belongs to", None, "200", OBJECT),
    (
        "get",
        "/dashboard",
        "dashboard",
        "The event at a glance: versions, checker verdict, reports, live sessions",
        None,
        "200",
        OBJECT,
    ),
    (
        "post",
        "/imports",
        "imports_create",
        "Upload a problem file: validated, stored for review with what it "
        "would change (422 lists every issue; nothing is stored)",
        UPLOAD_BODY,
        "201",
        OBJECT,
    ),
    ("get", "/imports/{upload_id}", "imports_get", "An upload and what it would change", None, "200", OBJECT),
    (
        "post",
        "/imports/{upload_id}/apply",
        "imports_apply",
        "Import the upload into the event",
        None,
        "200",
        OBJECT,
    ),
    ("get", "/jobs", "jobs_list", "The event's recent solve jobs", None, "200", OBJECT),
    (
        "post",
        "/jobs",
        "jobs_create",
        "Start a solve (409 while one is queued or running)",
        {"application/json": {"schema": SOLVE_BODY}},
        "202",
        _ref("Job"),
    ),
    ("get", "/jobs/{job_id}", "jobs_get", "A job's state and live progress", None, "200", _ref("Job")),
    (
        "post",
        "/jobs/{job_id}/stop",
        "jobs_stop",
        "Stop a job, keeping the best agenda found",
        None,
        "200",
        _ref("Job"),
    ),
    ("get", "/versions", "versions_list", "Drafts and published versions, newest first", None, "200", OBJECT),
    (
        "get",
        "/versions/{number}",
        "versions_get",
        "A version against the published one: changes, the checker's "
        "verdict, and an infeasible result's conflicts with what to relax",
        None,
        "200",
        OBJECT,
    ),
    (
        "post",
        "/versions/{number}/publish",
        "versions_publish",
        "Publish a version (409 when it breaks hard rules and is not confirmed)",
        {"application/json": {"schema": PUBLISH_BODY}},
        "200",
        _ref("Version"),
    ),
    (
        "get",
        "/versions/{number}/editor",
        "draft_get",
        "A draft as the editor sees it: revision, assignments, pins, overrides, undo and redo",
        None,
        "200",
        OBJECT,
    ),
    (
        "post",
        "/versions/{number}/edits/{edit}",
        "draft_edit",
        "Move (or place: the same edit), swap, unschedule, pin, unpin, undo or redo in a draft, checked "
        "at once: 409 with "
        "the broken rules in words (nothing changed) unless `override`, 409 on a stale revision",
        {"application/json": {"schema": EDIT_BODY}},
        "200",
        OBJECT,
    ),
    (
        "post",
        "/versions/{number}/replan",
        "draft_replan",
        "Re-plan a draft around its pins: a job whose new draft keeps every pin and moves as little "
        "else as it can; its progress lists what moved and why, or the pins in conflict",
        {"application/json": {"schema": REPLAN_BODY}},
        "202",
        _ref("Job"),
    ),
    ("get", "/live", "live_get", "Now & Next of every room", None, "200", OBJECT),
    (
        "post",
        "/live/{session}/{action}",
        "live_change",
        "Delay, cancel, start, end or reset a published session, as `scheduler live`",
        {"application/json": {"schema": LIVE_BODY}},
        "200",
        OBJECT,
    ),
    ("get", "/reports", "reports_list", "Speakers' open reports (all with ?all=1)", None, "200", OBJECT),
    (
        "post",
        "/reports/{report_id}/settle",
        "reports_settle",
        "Settle a report, with a reply to the speaker",
        {"application/json": {"schema": SETTLE_BODY}},
        "200",
        OBJECT,
    ),
    ("get", "/figures", "figures", "Participation, parity and youth tables", None, "200", OBJECT),
    (
        "get",
        "/audit",
        "audit",
        "The audit log, newest first (filters: actor, action, via, since, until, before, limit)",
        None,
        "200",
        OBJECT,
    ),
    (
        "get",
        "/outbox",
        "outbox_list",
        "Messages newest first, with counts by state (filter: state)",
        None,
        "200",
        OBJECT,
    ),
    (
        "get",
        "/outbox/{message_id}",
        "outbox_get",
        "One message: recipient, subject, text, attachments, tries",
        None,
        "200",
        OBJECT,
    ),
    (
        "post",
        "/outbox/{message_id}",
        "outbox_edit",
        "Change a held message's subject and text",
        {"application/json": {"schema": MESSAGE_BODY}},
        "200",
        OBJECT,
    ),
    (
        "post",
        "/outbox/send",
        "outbox_send",
        "Send messages by id, or every held one with all: true",
        {"application/json": {"schema": MESSAGES_BODY}},
        "200",
        OBJECT,
    ),
    (
        "post",
        "/outbox/hold",
        "outbox_hold",
        "Hold queued messages back for review",
        {"application/json": {"schema": MESSAGES_BODY}},
        "200",
        OBJECT,
    ),
    (
        "post",
        "/outbox/discard",
        "outbox_discard",
        "Never send these messages",
        {"application/json": {"schema": MESSAGES_BODY}},
        "200",
        OBJECT,
    ),
    (
        "post",
        "/speaker-links",
        "speaker_links",
        "Email each speaker with an email a fresh private link",
        None,
        "200",
        OBJECT,
    ),
    ("get", "/users", "users_list", "Accounts (admin)", None, "200", OBJECT),
    (
        "post",
        "/users",
        "users_create",
        "Add an account; answers its one-time password (admin)",
        {"application/json": {"schema": USER_BODY}},
        "201",
        OBJECT,
    ),
    (
        "post",
        "/users/{user_id}",
        "users_change",
        "Change an account's role or status, reset its password, issue or revoke tokens (admin)",
        {"application/json": {"schema": USER_CHANGE_BODY}},
        "200",
        OBJECT,
    ),
)

_PARAMETER_TYPES = {
    "upload_id": INTEGER,
    "job_id": INTEGER,
    "number": INTEGER,
    "report_id": INTEGER,
    "message_id": INTEGER,
    "user_id": INTEGER,
    "session": STRING,
    "action": {"enum": ["delay", "cancel", "start", "end", "reset"]},
    "edit": {"enum": ["move", "place", "swap", "unschedule", "pin", "unpin", "undo", "redo"]},
}


def _operation(
    method: str, path: str, endpoint: str, summary: str, body: Json | None, status: str, schema: Json
) -> Json:
    role = RULES[f"console.api.{endpoint}"]
    operation: Json = {
        "operationId": endpoint,
        "summary": summary,
        "description": f"Needs: {role}.",
        "responses": {
            status: {"description": "Done", "content": {"application/json": {"schema": schema}}},
            "default": {
                "description": "Refused (400, 401, 403, 404, 409, 413, 422)",
                "content": {"application/json": {"schema": _ref("Error")}},
            },
        },
    }
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    if names:
        operation["parameters"] = [
            {"name": n, "in": "path", "required": True, "schema": _PARAMETER_TYPES[n]} for n in names
        ]
    if body is not None:
        operation["requestBody"] = {
            "required": method == "post" and "multipart/form-data" in body,
            "content": body,
        }
    if role == "public":
        operation["security"] = []
    return operation


def document() -> Json:
    paths: Json = {}
    for method, path, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, *rest)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Programme team console API",
            "version": API_VERSION,
            "description": "Every console action for scripts. Authenticate with a personal token from "
            "`scheduler users token EMAIL` as `Authorization: Bearer TOKEN`. Roles: viewer < editor < admin.",
        },
        "servers": [{"url": "/console/api/v1"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
