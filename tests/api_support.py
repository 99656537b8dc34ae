"""Helpers for JSON API tests: get tokens as the app would, call endpoints with a bearer token."""
from __future__ import annotations

from tests.factories import PASSWORD


class ApiHelper:
    def __init__(self, client):
        self.client = client

    def token(self, email: str, password: str = PASSWORD, *, staff: bool = False) -> str:
        url = "/api/v1/auth/staff-token" if staff else "/api/v1/auth/token"
        response = self.client.post(url, json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]["access_token"]

    @staticmethod
    def headers(token: str | None) -> dict:
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url: str, token: str | None = None, **kw):
        return self.client.get(url, headers=self.headers(token) | kw.pop("headers", {}), **kw)

    def post(self, url: str, token: str | None = None, **kw):
        return self.client.post(url, headers=self.headers(token) | kw.pop("headers", {}), **kw)

    def put(self, url: str, token: str | None = None, **kw):
        return self.client.put(url, headers=self.headers(token) | kw.pop("headers", {}), **kw)


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The response is an error envelope with ``status`` (naming ``field`` when given)."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["success"] is False and body["status_code"] == status and body["message"], body
    if field:
        assert field in body["errors"], body
    return body
