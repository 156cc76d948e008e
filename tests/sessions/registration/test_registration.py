"""Event registration: the public sign-up, organiser decisions, invitations, CSV and mail."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx2
import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from server.events.models import Event, Membership, Role
from server.identity.models import Account, Invitation
from server.main import create_app
from server.rules import email_key
from server.settings import Settings
from sessions.registration.models import Registration, RegistrationStatus
from tests.factories import PASSWORD, add_account, add_event, add_point
from tests.services import free_port

NAME = "Nguyễn Thị Hồng Nhung"
ORGANISATION = "HTX Nông nghiệp Đức Chính"
EMAIL = "nhung@htx-ducchinh.vn"
NEW_PASSWORD = "cà rốt Cẩm Giàng 2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INVITE_PATH = re.compile(r"/invite/([A-Za-z0-9_-]+)")


@pytest.fixture
def web(client: TestClient) -> TestClient:
    """The test client reading pages in English, so messages can be asserted."""
    client.cookies.set("ketnoi_lang", "en")
    return client


def csrf_token(client: TestClient, path: str) -> str:
    """The form token of a page (its cookie stays in the client)."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def sign_up(client: TestClient, event: Event, **overrides: str | None) -> httpx2.Response:
    """Submit the public form; a None override leaves the field out."""
    fields: dict[str, str | None] = {
        "csrf_token": csrf_token(client, f"/e/{event.slug}/register"),
        "full_name": NAME,
        "email": EMAIL,
        "organisation_name": ORGANISATION,
        "country": "VN",
        "role": "producer",
        "locale": "vi",
        "consent": "yes",
        **overrides,
    }
    data = {key: value for key, value in fields.items() if value is not None}
    return client.post(f"/e/{event.slug}/register", data=data)


def login(client: TestClient, address: str, password: str = PASSWORD) -> None:
    """Sign in through the JSON API; the client keeps the session cookie."""
    response = client.post("/api/auth/login", json={"email": address, "password": password})
    assert response.status_code == 200, response.text


def organiser_post(client: TestClient, event: Event, path: str, **data: str) -> httpx2.Response:
    """POST a form of the organiser's registrations page."""
    token = csrf_token(client, f"/e/{event.slug}/organiser/registrations")
    return client.post(
        f"/e/{event.slug}/organiser/{path}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def registrations(db: Session) -> list[Registration]:
    """What is stored now (not what this session saw before)."""
    db.expire_all()
    return list(db.exec(select(Registration)).all())


def account_by_email(db: Session, address: str) -> Account | None:
    db.expire_all()
    return db.exec(select(Account).where(Account.email_key == email_key(address))).first()


def template_name(response: httpx2.Response) -> str:
    name: str = response.template.name  # type: ignore[attr-defined]
    return name


def context(response: httpx2.Response) -> dict[str, Any]:
    values: dict[str, Any] = response.context  # type: ignore[attr-defined]
    return values


def invite_path(page: httpx2.Response) -> str:
    found = INVITE_PATH.search(page.text)
    assert found is not None, "no invitation link on the page"
    return found.group(0)


def test_sign_up_is_stored_with_vietnamese_intact(web: TestClient, db: Session) -> None:
    event = add_event(db)
    response = sign_up(web, event, email="  Nhung@HTX-DucChinh.vn ", country="vn")
    assert response.status_code == 200
    assert template_name(response) == "register_done.html"
    assert "The organisers will review it" in response.text
    assert NAME in response.text
    [row] = registrations(db)
    assert row.event_id == event.id
    assert row.full_name == NAME
    assert row.organisation_name == ORGANISATION
    assert row.email == "Nhung@HTX-DucChinh.vn"
    assert row.email_key == "nhung@htx-ducchinh.vn"
    assert row.country == "VN"
    assert row.role_requested == Role.producer
    assert row.status == RegistrationStatus.pending
    assert row.consent_at is not None


def test_a_sign_up_typed_in_nfd_is_stored_in_nfc(web: TestClient, db: Session) -> None:
    event = add_event(db)
    decomposed_name = unicodedata.normalize("NFD", NAME)
    decomposed_org = unicodedata.normalize("NFD", ORGANISATION)
    assert decomposed_name != NAME
    response = sign_up(web, event, full_name=decomposed_name, organisation_name=decomposed_org)
    assert response.status_code == 200
    [row] = registrations(db)
    assert row.full_name == NAME
    assert row.organisation_name == ORGANISATION


def test_the_form_offers_roles_countries_and_consent(web: TestClient, db: Session) -> None:
    event = add_event(db)
    page = web.get(f"/e/{event.slug}/register")
    assert page.status_code == 200
    assert template_name(page) == "register.html"
    values = context(page)
    assert [r["value"] for r in values["roles"]] == ["counsellor", "producer", "buyer"]
    assert any(c["value"] == "JP" and c["label"] == "Japan" for c in values["countries"])
    assert [c["value"] for c in values["countries"] if c["selected"]] == ["VN"]
    assert 'name="consent"' in page.text
    assert 'value="organiser"' not in page.text
    web.cookies.set("ketnoi_lang", "vi")
    vietnamese = context(web.get(f"/e/{event.slug}/register"))
    assert [c["label"] for c in vietnamese["countries"] if c["selected"]] == ["Việt Nam"]
    assert [o["value"] for o in vietnamese["locales"] if o["selected"]] == ["vi"]


def test_missing_consent_is_refused_and_nothing_stored(web: TestClient, db: Session) -> None:
    event = add_event(db)
    response = sign_up(web, event, consent=None)
    assert response.status_code == 400
    assert template_name(response) == "register.html"
    assert "Please agree to the use of your data" in response.text
    # What was typed comes back, so nothing has to be typed twice.
    assert NAME in response.text
    assert ORGANISATION in response.text
    assert registrations(db) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role", "organiser", "Please choose counsellor, producer or buyer."),
        ("role", "admin", "Please choose counsellor, producer or buyer."),
        ("role", "interpreter", "Please choose counsellor, producer or buyer."),
        ("email", "nhung-at-example", "Please give a valid email address."),
        ("email", "", "Please give a valid email address."),
        ("country", "Vietnam", "Please choose a country from the list."),
        ("country", "V1", "Please choose a country from the list."),
        ("country", "ZZ", "Please choose a country from the list."),
        ("country", "VĐ", "Please choose a country from the list."),
        ("full_name", "   ", "Please give a name."),
        ("full_name", "N" * 201, "The name must have at most 200 characters."),
        ("organisation_name", "", "Please give the name of your organisation."),
        ("organisation_name", "H" * 301, "The organisation name must have at most 300 characters."),
        ("locale", "fr", "Unknown language."),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_stored(
    web: TestClient, db: Session, field: str, value: str, message: str
) -> None:
    event = add_event(db)
    response = sign_up(web, event, **{field: value})
    assert response.status_code == 400
    assert context(response)["error"] == message
    assert message in response.text
    assert registrations(db) == []


def test_a_second_sign_up_in_another_case_is_a_conflict(web: TestClient, db: Session) -> None:
    event = add_event(db)
    assert sign_up(web, event).status_code == 200
    again = sign_up(web, event, email=EMAIL.upper())
    assert again.status_code == 409
    assert "already registered for this event" in again.text
    assert len(registrations(db)) == 1
    # The same person may sign up for another event.
    assert sign_up(web, add_event(db)).status_code == 200
    assert len(registrations(db)) == 2


def test_unpublished_and_finished_events_take_no_sign_ups(web: TestClient, db: Session) -> None:
    hidden = add_event(db, published=False)
    assert web.get(f"/e/{hidden.slug}/register").status_code == 404
    now = datetime.now(UTC)
    over = add_event(db, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    page = web.get(f"/e/{over.slug}/register")
    assert page.status_code == 200
    assert "registration is closed" in page.text
    assert 'name="full_name"' not in page.text
    # A form kept open from before the end is refused too.
    token = csrf_token(web, "/login")
    late = web.post(
        f"/e/{over.slug}/register",
        data={
            "csrf_token": token,
            "full_name": NAME,
            "email": EMAIL,
            "organisation_name": ORGANISATION,
            "country": "VN",
            "role": "producer",
            "locale": "vi",
            "consent": "yes",
        },
    )
    assert late.status_code == 410
    assert "registration is closed" in late.text
    assert registrations(db) == []


def test_sign_ups_per_address_are_limited(settings: Settings, db: Session) -> None:
    event = add_event(db)
    app = create_app(settings.model_copy(update={"signups_per_hour_per_ip": 2}))
    with TestClient(app, base_url="http://testserver") as web:
        web.cookies.set("ketnoi_lang", "en")
        assert sign_up(web, event, email="a@example.vn").status_code == 200
        # A refused form does not use up the allowance.
        assert sign_up(web, event, email="b@example.vn", consent=None).status_code == 400
        assert sign_up(web, event, email="b@example.vn").status_code == 200
        third = sign_up(web, event, email="c@example.vn")
        assert third.status_code == 429
        assert "Too many sign-ups" in third.text
    assert len(registrations(db)) == 2


def test_organiser_approves_and_the_invited_person_sets_a_password(
    web: TestClient, db: Session
) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    assert sign_up(web, event).status_code == 200
    [row] = registrations(db)
    login(web, organiser.email)
    listing = web.get(f"/e/{event.slug}/organiser/registrations")
    assert listing.status_code == 200
    assert template_name(listing) == "organiser_registrations.html"
    assert [r["full_name"] for r in context(listing)["registrations"]] == [NAME]
    assert listing.headers["cache-control"] == "no-store"

    approved = organiser_post(web, event, f"registrations/{row.id}/approve")
    assert approved.status_code == 200
    assert "Pass this invitation link on to" in approved.text
    notice = context(approved)["notice"]
    assert notice["url"].startswith("http://127.0.0.1:8000/invite/")
    assert notice["url"].endswith(invite_path(approved))

    account = account_by_email(db, EMAIL)
    assert account is not None
    assert account.display_name == NAME
    assert account.password_hash is None
    membership = db.exec(select(Membership).where(Membership.account_id == account.id)).one()
    assert (membership.event_id, membership.role) == (event.id, Role.producer)
    [decided] = registrations(db)
    assert decided.status == RegistrationStatus.approved
    assert decided.decided_by_id == organiser.id
    assert decided.decided_at is not None
    assert decided.account_id == account.id

    # The invited person, in their own browser.
    path = invite_path(approved)
    web.cookies.clear()
    web.cookies.set("ketnoi_lang", "en")
    token = csrf_token(web, path)
    mismatch = web.post(
        path,
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD + "x"},
    )
    assert mismatch.status_code == 400
    assert "The two passwords differ." in mismatch.text
    short = web.post(
        path, data={"csrf_token": token, "password": "ngắn", "password_repeat": "ngắn"}
    )
    assert short.status_code == 400
    assert "at least 10 characters" in short.text
    unchanged = account_by_email(db, EMAIL)
    assert unchanged is not None
    assert unchanged.password_hash is None
    assert db.exec(select(Invitation)).one().used_at is None

    accepted = web.post(
        path,
        data={"csrf_token": token, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/e/{event.slug}"
    assert web.get("/api/me").json()["account"]["email"] == EMAIL
    assert web.get(path).status_code == 404

    web.cookies.clear()
    login(web, EMAIL.upper(), NEW_PASSWORD)


def test_an_approval_is_decided_once(web: TestClient, db: Session) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    sign_up(web, event)
    [row] = registrations(db)
    login(web, organiser.email)
    assert organiser_post(web, event, f"registrations/{row.id}/approve").status_code == 200
    again = organiser_post(web, event, f"registrations/{row.id}/approve")
    assert again.status_code == 409
    assert "already been decided" in again.text
    assert len(db.exec(select(Invitation)).all()) == 1


def test_reject_makes_no_account(web: TestClient, db: Session) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    sign_up(web, event)
    [row] = registrations(db)
    login(web, organiser.email)
    rejected = organiser_post(web, event, f"registrations/{row.id}/reject")
    assert rejected.status_code == 303
    assert rejected.headers["location"].startswith(f"/e/{event.slug}/organiser/registrations")
    [decided] = registrations(db)
    assert decided.status == RegistrationStatus.rejected
    assert decided.decided_by_id == organiser.id
    assert account_by_email(db, EMAIL) is None
    assert organiser_post(web, event, f"registrations/{row.id}/approve").status_code == 409
    assert account_by_email(db, EMAIL) is None
    # A rejected person may sign up again.
    web.cookies.clear()
    assert sign_up(web, event).status_code == 200


def test_another_events_registration_is_not_found(web: TestClient, db: Session) -> None:
    event = add_event(db)
    other = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    sign_up(web, other)
    [row] = registrations(db)
    login(web, organiser.email)
    assert organiser_post(web, event, f"registrations/{row.id}/approve").status_code == 404
    assert organiser_post(web, event, f"registrations/{row.id}/reject").status_code == 404
    assert registrations(db)[0].status == RegistrationStatus.pending


def test_approving_someone_with_an_account_gives_no_password_link(
    web: TestClient, db: Session
) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    existing = add_account(db, email=EMAIL)
    sign_up(web, event, role="buyer")
    [row] = registrations(db)
    login(web, organiser.email)
    approved = organiser_post(web, event, f"registrations/{row.id}/approve")
    assert approved.status_code == 200
    assert "already has an account" in approved.text
    assert "/invite/" not in approved.text
    assert db.exec(select(Invitation)).all() == []
    membership = db.exec(select(Membership).where(Membership.account_id == existing.id)).one()
    assert membership.role == Role.buyer
    assert registrations(db)[0].account_id == existing.id


def test_direct_invitation(web: TestClient, db: Session) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    login(web, organiser.email)
    invited = organiser_post(
        web,
        event,
        "invitations",
        email="thuongvu.jp@moit.gov.vn",
        display_name="Tham tán Lê Văn Đức",
        role="counsellor",
        locale="en",
    )
    assert invited.status_code == 200
    assert context(invited)["notice"]["url"] is not None
    account = account_by_email(db, "thuongvu.jp@moit.gov.vn")
    assert account is not None
    assert account.display_name == "Tham tán Lê Văn Đức"
    assert account.locale == "en"
    membership = db.exec(select(Membership).where(Membership.account_id == account.id)).one()
    assert membership.role == Role.counsellor
    # Interpreters come by invitation only.
    assert 'value="interpreter"' in web.get(f"/e/{event.slug}/organiser/registrations").text
    assert 'value="interpreter"' not in web.get(f"/e/{event.slug}/register").text
    interpreter = organiser_post(
        web,
        event,
        "invitations",
        email="phiendich@example.vn",
        display_name="Phiên dịch Nguyễn Thu Hà",
        role="interpreter",
    )
    assert interpreter.status_code == 200
    added = account_by_email(db, "phiendich@example.vn")
    assert added is not None
    assert added.display_name == "Phiên dịch Nguyễn Thu Hà"
    role = db.exec(select(Membership.role).where(Membership.account_id == added.id)).one()
    assert role == Role.interpreter

    refused = organiser_post(
        web, event, "invitations", email="x@example.vn", display_name="X", role="organiser"
    )
    assert refused.status_code == 400
    assert "Please choose counsellor, producer, buyer or interpreter." in refused.text
    assert 'value="x@example.vn"' in refused.text
    assert account_by_email(db, "x@example.vn") is None
    # An organiser cannot be demoted through an invitation.
    demote = organiser_post(
        web, event, "invitations", email=organiser.email, display_name="X", role="buyer"
    )
    assert demote.status_code == 409
    db.expire_all()
    role = db.exec(select(Membership.role).where(Membership.account_id == organiser.id)).one()
    assert role == Role.organiser


def test_no_password_link_for_a_person_invited_by_another_event(
    web: TestClient, db: Session
) -> None:
    first = add_event(db)
    second = add_event(db)
    organiser_a = add_account(db, role=Role.organiser, event=first)
    organiser_b = add_account(db, role=Role.organiser, event=second)
    login(web, organiser_a.email)
    invited = organiser_post(
        web,
        first,
        "invitations",
        email="tt.kr@example.vn",
        display_name="Tham tán",
        role="counsellor",
    )
    assert context(invited)["notice"]["url"] is not None

    # Another event's organiser must not get a link that would take the account over.
    login(web, organiser_b.email)
    taken = organiser_post(
        web, second, "invitations", email="TT.KR@example.vn", display_name="X", role="buyer"
    )
    assert taken.status_code == 409
    assert "/invite/" not in taken.text
    account = account_by_email(db, "tt.kr@example.vn")
    assert account is not None
    memberships = db.exec(select(Membership).where(Membership.account_id == account.id)).all()
    assert [(m.event_id, m.role) for m in memberships] == [(first.id, Role.counsellor)]


@pytest.mark.parametrize("who", ["producer", "buyer", "point", "other_organiser"])
@pytest.mark.parametrize("path", ["registrations", "registrations.csv"])
def test_only_the_events_organisers_see_registrations(
    web: TestClient, db: Session, settings: Settings, who: str, path: str
) -> None:
    event = add_event(db)
    sign_up(web, event)
    if who == "point":
        _point, token = add_point(db, event, settings.secret_key.get_secret_value())
        assert web.get(f"/join/{token}", follow_redirects=False).status_code == 303
    elif who == "other_organiser":
        login(web, add_account(db, role=Role.organiser, event=add_event(db)).email)
    else:
        login(web, add_account(db, role=Role(who), event=event).email)
    response = web.get(f"/e/{event.slug}/organiser/{path}", follow_redirects=False)
    assert response.status_code == 403
    assert EMAIL not in response.text


def test_others_cannot_decide(web: TestClient, db: Session) -> None:
    event = add_event(db)
    sign_up(web, event)
    [row] = registrations(db)
    login(web, add_account(db, role=Role.organiser, event=add_event(db)).email)
    token = csrf_token(web, f"/e/{event.slug}/register")
    for action in ("approve", "reject"):
        url = f"/e/{event.slug}/organiser/registrations/{row.id}/{action}"
        assert web.post(url, data={"csrf_token": token}).status_code == 403
    invite = web.post(
        f"/e/{event.slug}/organiser/invitations",
        data={"csrf_token": token, "email": "a@example.vn", "display_name": "A", "role": "buyer"},
    )
    assert invite.status_code == 403
    assert registrations(db)[0].status == RegistrationStatus.pending
    assert account_by_email(db, EMAIL) is None
    assert account_by_email(db, "a@example.vn") is None


@pytest.mark.parametrize("path", ["registrations", "registrations.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(web: TestClient, db: Session, path: str) -> None:
    event = add_event(db)
    response = web.get(f"/e/{event.slug}/organiser/{path}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_csv_export(web: TestClient, db: Session) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    sign_up(web, event)
    sign_up(
        web,
        event,
        full_name='=HYPERLINK("http://evil.example","x")',
        email="buyer@example.jp",
        organisation_name="@SUM(1+1)",
        country="jp",
        role="buyer",
        locale="en",
    )
    login(web, organiser.email)
    response = web.get(f"/e/{event.slug}/organiser/registrations.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="registrations-{event.slug}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "id",
        "full_name",
        "email",
        "organisation",
        "country",
        "role",
        "language",
        "status",
        "registered_at (Asia/Ho_Chi_Minh)",
        "decided_at (Asia/Ho_Chi_Minh)",
    ]
    assert len(rows) == 3
    by_email = {row[2]: row for row in rows[1:]}
    nhung = by_email[EMAIL]
    assert nhung[1:8] == [NAME, EMAIL, ORGANISATION, "VN", "producer", "vi", "pending"]
    assert nhung[9] == ""
    stored = {r.email: r for r in registrations(db)}
    local = stored[EMAIL].created_at.astimezone(UTC) + timedelta(hours=7)
    assert nhung[8] == local.strftime("%Y-%m-%d %H:%M")
    buyer = by_email["buyer@example.jp"]
    assert buyer[1] == '\'=HYPERLINK("http://evil.example","x")'
    assert buyer[3] == "'@SUM(1+1)"
    assert buyer[4:7] == ["JP", "buyer", "en"]


class Mailbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """A local SMTP server on 127.0.0.1 and the port it listens on."""
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_invitations_are_mailed_when_smtp_is_set(
    settings: Settings, db: Session, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    mailing = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with TestClient(create_app(mailing), base_url="http://testserver") as web:
        web.cookies.set("ketnoi_lang", "en")
        sign_up(web, event, locale="en")
        [row] = registrations(db)
        login(web, organiser.email)
        approved = organiser_post(web, event, f"registrations/{row.id}/approve")
    assert approved.status_code == 200
    assert f"The invitation was mailed to {EMAIL}." in approved.text
    assert "/invite/" not in approved.text
    [(recipients, message)] = box.messages
    assert recipients == [EMAIL]
    assert message["To"] == EMAIL
    assert event.title_en in message["Subject"]
    body = message.get_content()
    assert NAME in body
    found = INVITE_PATH.search(body)
    assert found is not None
    db.expire_all()
    invitation = db.exec(select(Invitation)).one()
    assert invitation.mailed_at is not None
    # The mailed link is the real one.
    with TestClient(create_app(mailing), base_url="http://testserver") as invitee:
        assert invitee.get(found.group(0)).status_code == 200


def test_the_link_is_shown_when_the_mail_server_is_down(settings: Settings, db: Session) -> None:
    event = add_event(db)
    organiser = add_account(db, role=Role.organiser, event=event)
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    with TestClient(create_app(down), base_url="http://testserver") as web:
        web.cookies.set("ketnoi_lang", "en")
        sign_up(web, event)
        [row] = registrations(db)
        login(web, organiser.email)
        approved = organiser_post(web, event, f"registrations/{row.id}/approve")
        assert approved.status_code == 200
        assert "could not be sent" in approved.text
        path = invite_path(approved)
        web.cookies.clear()
        assert web.get(path).status_code == 200
    db.expire_all()
    assert db.exec(select(Invitation)).one().mailed_at is None
    assert registrations(db)[0].status == RegistrationStatus.approved
