"""The one response envelope of the JSON API (seed 001's shape).

Success: ``{"success": true, "data": ..., "message": "Success", "status_code": 200}``
Error:   ``{"success": false, "message": "...", "errors": {"field": ["..."]}, "status_code": 4xx}``
(plus ``code``, a stable machine-readable word, and ``error_id`` on a 500).
"""
from __future__ import annotations

from typing import Any

from flask import current_app


def ok(data: Any = None, *, status: int = 200, message: str = "Success", headers: dict | None = None, **extra):
    body = {"success": True, "data": data if data is not None else [], "message": message, "status_code": status}
    body.update(extra)
    return current_app.response_class(current_app.json.dumps(body), status=status, headers=headers,
                                      mimetype="application/json")


def error_body(status: int, message: str, *, code: str, errors: dict[str, list[str]] | None = None,
               error_id: str | None = None) -> dict:
    body: dict[str, Any] = {"success": False, "message": message, "code": code, "errors": errors or {},
                            "status_code": status}
    if error_id:
        body["error_id"] = error_id
    return body
