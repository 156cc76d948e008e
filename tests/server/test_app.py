"""What every page shares: its icon, found where browsers look."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_pages_name_their_icon_and_the_old_place_leads_to_it(client: TestClient) -> None:
    page = client.get("/login")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
    old = client.get("/favicon.ico", follow_redirects=False)
    assert (old.status_code, old.headers["location"]) == (301, "/static/favicon.svg")
    assert client.get("/favicon.ico").status_code == 200
