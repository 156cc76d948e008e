"""Booth pages: an event's booths and a booth with its products and its call, for members only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from booths.catalogue.models import Product
from booths.stands.models import Booth
from server.events.models import Membership, Role
from server.identity.models import Account
from tests.factories import add_account, add_event, add_organisation
from tests.server.identity.test_auth import login


def add_booth(db: Session, event_id: int) -> Booth:
    """A cooperative's booth with one OCOP product."""
    firm = add_organisation(db, name="HTX Na Chi Lăng")
    booth = Booth(
        event_id=event_id,
        organisation_id=firm.id or 0,
        name_vi="Gian hàng na Chi Lăng",
        name_en="Chi Lang custard apples",
        description_vi="Na dai Chi Lăng, mùa vụ tháng 7-9.",
    )
    db.add(booth)
    db.commit()
    db.refresh(booth)
    db.add(
        Product(
            booth_id=booth.id or 0,
            producer_id=firm.id or 0,
            name_vi="Na dai Chi Lăng",
            name_en="Chi Lang custard apple",
            category="fruit",
            certifications="VietGAP",
            ocop_stars=4,
        )
    )
    db.commit()
    return booth


def test_a_member_sees_the_booth_its_products_and_the_call(client: TestClient, db: Session) -> None:
    event = add_event(db)
    booth = add_booth(db, event.id or 0)
    add_account(db, email="mua@example.vn", role=Role.buyer, event=event)
    assert login(client, "mua@example.vn") == 200

    listing = client.get(f"/events/{event.id}/booths")
    assert listing.template.name == "booths.html"  # type: ignore[attr-defined]
    assert [b["name"] for b in listing.context["booths"]] == ["Gian hàng na Chi Lăng"]  # type: ignore[attr-defined]
    assert f'href="/e/{event.slug}/booths/{booth.id}"' in listing.text

    page = client.get(f"/booths/{booth.id}")
    assert page.status_code == 200
    assert page.template.name == "booth.html"  # type: ignore[attr-defined]
    context = page.context  # type: ignore[attr-defined]
    assert context["products"] == [
        {
            "name": "Na dai Chi Lăng",
            "category": "fruit",
            "certifications": "VietGAP",
            "stars": "★★★★",
        }
    ]
    assert context["staff"] is False
    assert context["live"]["booth"] == booth.id
    assert context["live"]["others"] == [0, 1, 2]
    assert 'data-media="call"' in page.text
    assert page.text.count('class="call-other"') == 3
    assert "Na dai Chi Lăng, mùa vụ tháng 7-9." in page.text


def test_booths_are_for_the_events_members(client: TestClient, db: Session) -> None:
    event = add_event(db)
    other = add_event(db, slug="tuan-hang-khac")
    booth = add_booth(db, event.id or 0)
    # Not signed in: to the sign-in page, and back here afterwards.
    anonymous = client.get(f"/booths/{booth.id}", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=%2Fbooths%2F{booth.id}"
    add_account(db, email="khach@example.vn", role=Role.buyer, event=other)
    assert login(client, "khach@example.vn") == 200
    assert client.get(f"/booths/{booth.id}").status_code == 403
    assert client.get(f"/events/{event.id}/booths").status_code == 403
    assert client.get("/booths/999999").status_code == 404


def test_booth_pages_live_under_their_event_and_the_old_addresses_redirect(
    client: TestClient, db: Session
) -> None:
    event = add_event(db)
    other = add_event(db, slug="tuan-hang-khac")
    booth = add_booth(db, event.id or 0)
    add_account(db, email="mua@example.vn", role=Role.buyer, event=event)
    assert login(client, "mua@example.vn") == 200

    moved = client.get(f"/events/{event.id}/booths", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/e/{event.slug}/booths"
    moved = client.get(f"/booths/{booth.id}", follow_redirects=False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/e/{event.slug}/booths/{booth.id}"

    page = client.get(f"/e/{event.slug}/booths/{booth.id}")
    assert page.status_code == 200
    assert f'href="/e/{event.slug}/booths"' in page.text
    # A booth is found only under its own event; to someone outside an event, any booth id
    # there is refused alike, so ids cannot be enumerated.
    assert client.get(f"/e/{other.slug}/booths/{booth.id}").status_code == 403
    assert client.get(f"/e/{other.slug}/booths/999999").status_code == 403
    account = db.exec(select(Account).where(Account.email == "mua@example.vn")).one()
    db.add(Membership(account_id=account.id or 0, event_id=other.id or 0, role=Role.buyer))
    db.commit()
    assert client.get(f"/e/{other.slug}/booths/{booth.id}").status_code == 404
