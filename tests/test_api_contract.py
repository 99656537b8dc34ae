"""Schemathesis against the live app: every operation of /api/v1/openapi.json, called with the demo customer's
token and with a staff token, must never answer 5xx and must always answer what the document says.

The app is served by the ``live_server`` fixture on the demo shop (a small one); schemathesis runs as its CLI, as
a client of a real server would be."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app.demo import load_demo_shop

ST = Path(sys.executable).with_name("st")


@pytest.fixture
def demo_server(app, live_server, db):
    load_demo_shop(seed=7, demo_orders=200, echo=lambda *_: None)
    saved = app.config["API_RATE_LIMIT"], app.config["API_ADDRESS_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = app.config["API_ADDRESS_RATE_LIMIT"] = "100000/minute"
    yield live_server
    app.config["API_RATE_LIMIT"], app.config["API_ADDRESS_RATE_LIMIT"] = saved


def _token(base: str, path: str, email: str, password: str) -> str:
    response = requests.post(f"{base}/api/v1/auth/{path}", json={"email": email, "password": password}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]["access_token"]


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_schemathesis_finds_no_server_error_and_no_schema_break(demo_server, who, tmp_path):
    if who == "customer":
        token = _token(demo_server, "token", "customer@demo.test", "demo-customer")
    else:
        token = _token(demo_server, "staff-token", "manager@demo.test", "demo-manager")
    result = subprocess.run(
        [str(ST), "run", f"{demo_server}/api/v1/openapi.json", "--header", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
         "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "25"), "--generation-deterministic",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "20", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,  # its example cache stays out of the repo
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
