"""The relay's loopback API: typed calls, a token, and refusals that say why."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from starlette.testclient import TestClient

from server.media.relay.app import api
from server.media.relay.rooms import Relay
from server.media.rules import TOKEN_HEADER
from server.settings import Settings

TOKEN = "t" * 43


def _client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr("r" * 40))
    return TestClient(api(Relay(settings), TOKEN), headers={TOKEN_HEADER: TOKEN})


def test_calls_without_the_token_are_forbidden(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        for path in ("/publish", "/watch", "/audio", "/stop"):
            response = client.post(path, json={}, headers={TOKEN_HEADER: "wrong"})
            assert (response.status_code, response.json()) == (403, {"error": "forbidden"})
        assert client.get("/status", headers={TOKEN_HEADER: ""}).status_code == 403


def test_a_call_that_is_not_its_model_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    publish = {
        "room": "talk:1",
        "policy": {"max_publishers": 2},
        "slot": "hall",
        "sdp": "v=0",
        "type": "offer",
    }
    with _client(tmp_path) as client:
        for body in (
            {**publish, "slot": "Hall!"},
            {**publish, "policy": {"max_publishers": 0}},
            {**publish, "colour": "red"},
            {**publish, "record_as": "../x"},
            {"room": "talk:1"},
        ):
            response = client.post("/publish", json=body)
            assert response.status_code == 400, body
            assert response.json()["error"].startswith("bad request:")
        response = client.post("/publish", content=b"not json")
        assert response.status_code == 400
        # A well-formed call with a description that is no offer: the relay's own reason.
        response = client.post("/publish", json=publish)
        assert response.json() == {"error": "the description has no audio or video"}
        assert client.get("/status").json() == {"peers": 0, "rooms": {}}
        assert client.post("/stop", json={"room": "talk:1", "slot": "hall"}).json() == {
            "stopped": False
        }
        response = client.post("/audio", json={"room": "talk:1", "id": "nobody", "slots": ["hall"]})
        assert (response.status_code, response.json()) == (404, {"error": "no such viewer"})
