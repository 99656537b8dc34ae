"""/api/docs: a readable reference of the API, rendered on the server from the generated OpenAPI document
(no JavaScript, no CDN: it works offline and under the app's CSP)."""
from __future__ import annotations

import json

from flask import Blueprint, render_template

docs_bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@docs_bp.get("/api/docs")
def api_docs():
    from app.api import spec

    document = spec.spec
    sections: dict[str, list[dict]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if op := item.get(method):
                tag = (op.get("tags") or ["other"])[0]
                sections.setdefault(tag, []).append({
                    "method": method.upper(), "path": path, "summary": op.get("summary") or "",
                    "description": op.get("description") or "", "secured": bool(op.get("security")),
                    "parameters": op.get("parameters", []),
                    "body": _schema_name(op.get("requestBody", {}).get("content", {}).get("application/json")),
                    "responses": [(code, _schema_name(r.get("content", {}).get("application/json")))
                                  for code, r in sorted(op.get("responses", {}).items())],
                })
    schemas = {name: json.dumps(s, indent=2) for name, s in sorted(document.get("components", {})
                                                                     .get("schemas", {}).items())}
    return render_template("api/docs.html", info=document.get("info", {}), sections=sections, schemas=schemas,
                           openapi_version=document.get("openapi"))


def _schema_name(content: dict | None) -> str | None:
    if not content:
        return None
    ref = content.get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None
