"""Sign-in, sign-out, session revocation and rotation, throttling, CSRF, body limits."""

from __future__ import annotations

import re
import unicodedata

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from server.events.models import Role
from server.identity.models import Account, AuthSession
from server.main import create_app
from server.settings import Settings
from tests.factories import PASSWORD, add_account, add_event


def login(client: TestClient, email: str, password: str = PASSWORD) -> int:
    """Sign in through the API; the client keeps the cookie."""
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def session_count(db: Session) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(AuthSession)).one()


def test_login_sets_a_protected_cookie_and_me_answers(client: TestClient, db: Session) -> None:
    account = add_account(db, email="Hoa.Nguyen@example.vn")
    response = client.post(
        "/api/auth/login", json={"email": "hoa.nguyen@EXAMPLE.vn", "password": PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "ketnoi_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie
    assert "password_hash" not in response.text
    me = client.get("/api/me").json()
    assert me["account"]["id"] == account.id
    assert me["account"]["email"] == "Hoa.Nguyen@example.vn"


def test_cookie_is_secure_behind_https(settings_https_client: TestClient, db: Session) -> None:
    add_account(db, email="secure@example.vn")
    response = settings_https_client.post(
        "/api/auth/login", json={"email": "secure@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_unknown_email_and_wrong_password_get_the_same_answer(
    client: TestClient, db: Session
) -> None:
    add_account(db, email="known@example.vn")
    wrong = client.post(
        "/api/auth/login", json={"email": "known@example.vn", "password": "not the password"}
    )
    unknown = client.post(
        "/api/auth/login", json={"email": "nobody@example.vn", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert session_count(db) == 0
    assert "set-cookie" not in wrong.headers


def test_messages_follow_the_language(client: TestClient, db: Session) -> None:
    add_account(db, email="known@example.vn")
    vi = client.post(
        "/api/auth/login", json={"email": "known@example.vn", "password": "sai mật khẩu"}
    )
    en = client.post(
        "/api/auth/login",
        json={"email": "known@example.vn", "password": "sai mật khẩu"},
        headers={"accept-language": "en-GB,en;q=0.8"},
    )
    assert en.json()["error"]["message"] == "Wrong email or password."
    assert vi.json()["error"]["message"] != en.json()["error"]["message"]
    assert "mật khẩu" in vi.json()["error"]["message"].lower()


def test_failed_logins_are_throttled_even_for_the_right_password(
    client: TestClient, db: Session
) -> None:
    add_account(db, email="target@example.vn")
    for _ in range(5):
        assert login(client, "target@example.vn", "guess-guess-guess") == 401
    response = client.post(
        "/api/auth/login", json={"email": "target@example.vn", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_throttled"
    assert session_count(db) == 0


def test_failing_on_purpose_from_other_addresses_does_not_lock_the_owner_out(
    settings: Settings, db: Session
) -> None:
    add_account(db, email="owner@example.vn")
    app = create_app(settings.model_copy(update={"login_slow_seconds": 0.2}))
    with TestClient(app, base_url="http://testserver") as first:
        # Guesses from three addresses: each address runs into its own limit...
        for n in range(3):
            guesser = TestClient(app, base_url="http://testserver", client=(f"203.0.113.{n}", 1))
            for _ in range(5):
                assert login(guesser, "owner@example.vn", "guess-guess-guess") == 401
            assert login(guesser, "owner@example.vn", "guess-guess-guess") == 429
        # ...while the email, far past its failures, is only slowed: the owner gets in.
        owner = TestClient(app, base_url="http://testserver", client=("198.51.100.7", 1))
        assert login(owner, "owner@example.vn", "guess-guess-guess") == 401
        assert login(owner, "owner@example.vn") == 200
        assert first.get("/healthz").status_code == 200


def test_logout_ends_the_session_at_once(client: TestClient, db: Session) -> None:
    add_account(db, email="bye@example.vn")
    assert login(client, "bye@example.vn") == 200
    token = client.cookies.get("ketnoi_session")
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/me").status_code == 401
    # Replaying the old cookie does not bring the session back.
    client.cookies.clear()
    client.cookies.set("ketnoi_session", token or "")
    assert client.get("/api/me").status_code == 401


def test_revoked_sessions_stop_working_at_once(client: TestClient, db: Session) -> None:
    account = add_account(db, email="revoke@example.vn")
    assert login(client, "revoke@example.vn") == 200
    assert client.get("/api/me").status_code == 200
    for row in db.exec(select(AuthSession).where(AuthSession.account_id == account.id)).all():
        row.revoked_at = row.created_at
        db.add(row)
    db.commit()
    assert client.get("/api/me").status_code == 401


def test_disabled_account_is_signed_out(client: TestClient, db: Session) -> None:
    account = add_account(db, email="gone@example.vn")
    assert login(client, "gone@example.vn") == 200
    account.is_active = False
    db.add(account)
    db.commit()
    assert client.get("/api/me").status_code == 401
    assert login(client, "gone@example.vn") == 401


def test_login_rotates_the_session_id(client: TestClient, db: Session) -> None:
    add_account(db, email="rotate@example.vn")
    assert login(client, "rotate@example.vn") == 200
    first = client.cookies.get("ketnoi_session")
    assert login(client, "rotate@example.vn") == 200
    second = client.cookies.get("ketnoi_session")
    assert first
    assert second
    assert first != second
    client.cookies.clear()
    client.cookies.set("ketnoi_session", first)
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("cookie", ["forged", "x" * 43, "a" * 5000, ""])
def test_forged_cookie_is_anonymous(client: TestClient, cookie: str) -> None:
    client.cookies.set("ketnoi_session", cookie)
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "sign_in_required"


def test_login_form_signs_in_and_redirects(client: TestClient, db: Session) -> None:
    add_account(db, email="form@example.vn")
    page = client.get("/login?next=/e/abc")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={
            "email": "form@example.vn",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/e/abc",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/e/abc"
    assert client.get("/api/me").status_code == 200


def test_login_form_never_redirects_to_another_site(client: TestClient, db: Session) -> None:
    add_account(db, email="next@example.vn")
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "next@example.vn",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_login_form_wrong_password_shows_the_message(client: TestClient, db: Session) -> None:
    add_account(db, email="oops@example.vn")
    page = client.get("/login", headers={"accept-language": "en"})
    response = client.post(
        "/login",
        data={"email": "oops@example.vn", "password": "nope", "csrf_token": csrf_from(page.text)},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 401
    assert "Wrong email or password." in response.text
    assert 'value="oops@example.vn"' in response.text


def test_form_post_without_csrf_token_changes_nothing(client: TestClient, db: Session) -> None:
    add_account(db, email="csrf@example.vn")
    client.get("/login")
    response = client.post("/login", data={"email": "csrf@example.vn", "password": PASSWORD})
    assert response.status_code == 403
    assert session_count(db) == 0
    forged = client.post(
        "/login", data={"email": "csrf@example.vn", "password": PASSWORD, "csrf_token": "a" * 64}
    )
    assert forged.status_code == 403
    assert session_count(db) == 0


def test_cross_site_posts_are_refused(client: TestClient, db: Session) -> None:
    add_account(db, email="xsite@example.vn")
    page = client.get("/login")
    data = {"email": "xsite@example.vn", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        assert client.post("/login", data=data, headers=headers).status_code == 403
        api = client.post(
            "/api/auth/login",
            json={"email": "xsite@example.vn", "password": PASSWORD},
            headers=headers,
        )
        assert api.status_code == 403
        assert api.json()["error"]["code"] == "cross_site"
    assert session_count(db) == 0
    same = client.post(
        "/login", data=data, headers={"origin": "http://testserver"}, follow_redirects=False
    )
    assert same.status_code == 303


def test_oversized_body_is_refused_and_changes_nothing(
    client: TestClient, db: Session, settings_limit: int
) -> None:
    add_account(db, email="big@example.vn")
    body = '{"email": "big@example.vn", "password": "' + "x" * settings_limit + '"}'
    response = client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert session_count(db) == 0


def test_bad_login_body_names_the_field(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login", json={"email": "a@b.vn"}, headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    assert "password" in response.json()["error"]["message"]
    response = client.post(
        "/api/auth/login", json={"email": "a@b.vn", "password": "x", "admin": True}
    )
    assert response.status_code == 422


def test_untrusted_host_is_refused(client: TestClient) -> None:
    assert client.get("/healthz", headers={"host": "evil.example"}).status_code == 400


def test_healthz_checks_the_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_nfd_and_case_variants_of_an_email_sign_in_the_same_account(
    client: TestClient, db: Session
) -> None:
    email = "Trần.Đức@example.vn"
    add_account(db, email=email)
    nfd = unicodedata.normalize("NFD", email).upper()
    assert login(client, nfd) == 200
    me = client.get("/api/me").json()
    assert me["account"]["email"] == email


def test_organiser_role_is_per_event(client: TestClient, db: Session) -> None:
    event_a = add_event(db)
    event_b = add_event(db)
    add_account(db, email="org-a@example.vn", role=Role.organiser, event=event_a)
    assert login(client, "org-a@example.vn") == 200
    assert client.get(f"/e/{event_a.slug}/organiser/points").status_code == 200
    assert client.get(f"/e/{event_b.slug}/organiser/points").status_code == 403
    assert db.exec(select(func.count()).select_from(Account)).one() == 1
