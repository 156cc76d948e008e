"""A talk's documents: organisers add PDFs and slides, members download them; the type is told
by the content, so a file that lies about what it is stays out."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from server.events.models import Role
from server.identity.auth import SESSION_COOKIE
from server.main import create_app
from server.settings import Settings
from sessions.agenda.models import TalkDocument
from tests.factories import add_account, add_event, add_talk
from tests.hubpeer import add_session

OPENING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ORIGIN = {"origin": "http://testserver"}


def pptx() -> bytes:
    """A slide deck as PowerPoint writes its skeleton."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as deck:
        deck.writestr("[Content_Types].xml", "<Types/>")
        deck.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


def not_slides() -> bytes:
    """A ZIP archive that is no slide deck."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ\x90\x00")
    return buffer.getvalue()


def stored_files(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "documents"
    return sorted(folder.iterdir()) if folder.exists() else []


def documents(db: Session) -> int:
    db.expire_all()
    return int(db.exec(select(func.count()).select_from(TalkDocument)).one())


def as_member(client: TestClient, db: Session, event_id: int, role: Role) -> None:
    from server.events.models import Event

    event = db.get(Event, event_id)
    assert event is not None
    account = add_account(db, role=role, event=event)
    client.cookies.set(SESSION_COOKIE, add_session(db, account_id=account.id))
    client.cookies.set("ketnoi_lang", "en")


def test_an_organiser_adds_a_pdf_and_slides_and_members_download_them(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    talk = add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    assert event.id is not None
    path = f"/api/talks/{talk.id}/documents"
    assert client.post(path, files={"file": ("a.pdf", PDF)}, headers=ORIGIN).status_code == 401
    as_member(client, db, event.id, Role.organiser)
    added = client.post(
        path, files={"file": ("Quy định MRL — EU.pdf", PDF, "application/pdf")}, headers=ORIGIN
    )
    assert added.status_code == 201, added.text
    document = added.json()
    assert (document["name"], document["content_type"], document["size"]) == (
        "Quy định MRL — EU.pdf",
        "application/pdf",
        len(PDF),
    )
    # The browser said "octet-stream" and the name has no extension: the content decides.
    deck = client.post(
        path, files={"file": ("Bài trình bày", pptx(), "application/octet-stream")}, headers=ORIGIN
    )
    assert deck.status_code == 201, deck.text
    assert deck.json()["name"] == "Bài trình bày.pptx"
    # Stored under generated names, never the uploaded ones.
    names = [p.name for p in stored_files(settings)]
    assert len(names) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}\.(pdf|pptx)", n) for n in names), names

    client.cookies.clear()
    as_member(client, db, event.id, Role.counsellor)
    listed = client.get(path).json()
    assert [d["name"] for d in listed] == ["Quy định MRL — EU.pdf", "Bài trình bày.pptx"]
    download = client.get(listed[0]["url"])
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    # A member may not add or remove documents.
    assert client.post(path, files={"file": ("b.pdf", PDF)}, headers=ORIGIN).status_code == 403
    assert client.delete(listed[0]["url"], headers=ORIGIN).status_code == 403

    # Someone of another event cannot see that the talk or its files exist.
    other = add_event(db)
    assert other.id is not None
    client.cookies.clear()
    as_member(client, db, other.id, Role.buyer)
    assert client.get(path).status_code == 403
    assert client.get(listed[0]["url"]).status_code == 403
    assert documents(db) == 2


def test_a_file_that_lies_about_its_type_or_is_too_large_is_refused_and_nothing_is_kept(
    db: Session, settings: Settings
) -> None:
    small = settings.model_copy(update={"talk_document_max_bytes": 4_096})
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    talk = add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    assert event.id is not None
    path = f"/api/talks/{talk.id}/documents"
    with TestClient(create_app(small), base_url="http://testserver") as client:
        as_member(client, db, event.id, Role.organiser)
        for name, content, declared in (
            ("slides.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
            ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf"),
            (
                "deck.pptx",
                not_slides(),
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ),
            ("broken.pptx", b"PK\x03\x04 not really a zip", "application/zip"),
        ):
            refused = client.post(path, files={"file": (name, content, declared)}, headers=ORIGIN)
            assert refused.status_code == 422, (name, refused.text)
            error = refused.json()["error"]
            assert (error["code"], error["field"]) == ("document_type", "file")
            assert "Only PDF files and slides" in error["message"]
        big = PDF + b"0" * 5_000
        too_large = client.post(path, files={"file": ("big.pdf", big)}, headers=ORIGIN)
        assert too_large.status_code == 422
        assert too_large.json()["error"]["code"] == "document_too_large"
    assert documents(db) == 0
    assert stored_files(small) == []


def test_the_editor_uploads_a_document_and_deleting_the_talk_removes_its_files(
    client: TestClient, db: Session, settings: Settings
) -> None:
    event = add_event(db, starts_at=OPENING, ends_at=OPENING + timedelta(hours=9))
    talk = add_talk(db, event, starts_at=OPENING, ends_at=OPENING + timedelta(minutes=30))
    assert event.id is not None
    as_member(client, db, event.id, Role.organiser)
    editor = f"/e/{event.slug}/organiser/agenda"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(editor).text)
    assert token is not None
    csrf = {"csrf_token": token.group(1)}
    lie = client.post(
        f"{editor}/{talk.id}/documents", data=csrf, files={"file": ("x.pdf", b"GIF89a")}
    )
    assert lie.status_code == 422
    assert "Only PDF files and slides" in lie.text
    added = client.post(
        f"{editor}/{talk.id}/documents",
        data=csrf,
        files={"file": ("Thị trường Nhật Bản.pdf", PDF)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(editor)
    assert "Thị trường Nhật Bản.pdf" in page.text
    assert len(stored_files(settings)) == 1
    # Members see it on the event page's agenda.
    assert "Thị trường Nhật Bản.pdf" in client.get(f"/e/{event.slug}").text
    deleted = client.post(f"{editor}/{talk.id}/delete", data=csrf, follow_redirects=False)
    assert deleted.status_code == 303
    assert stored_files(settings) == []
    assert documents(db) == 0
