"""A talk's documents (PDF or slides): organisers upload them, the event's members download
them. The type comes from the content, never the name; files are stored under generated names
in the data folder."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.responses import Response

from server.deps import AppSettings, DbSession, MaybePrincipal, RowId
from server.errors import FieldError, NotFound
from server.events.access import require_standing
from server.i18n import N_
from server.settings import Settings
from sessions.agenda.access import organised_talk
from sessions.agenda.models import Talk, TalkDocument
from sessions.agenda.rules import document_kind, document_name
from sessions.agenda.service import get_talk

router = APIRouter(tags=["events"])


class DocumentOut(BaseModel):
    """A document of a talk, and where to download it."""

    id: int
    name: str
    content_type: str
    size: int
    url: str
    created_at: datetime


def documents_folder(settings: Settings) -> Path:
    """Where the talks' documents are kept."""
    return settings.data_dir / "documents"


def document_out(document: TalkDocument) -> DocumentOut:
    """A document as the API shows it."""
    return DocumentOut(
        id=document.id or 0,
        name=document.name,
        content_type=document.content_type,
        size=document.size,
        url=f"/api/talks/{document.talk_id}/documents/{document.id}",
        created_at=document.created_at,
    )


async def list_documents(db: AsyncSession, talk_id: int) -> list[TalkDocument]:
    """A talk's documents, oldest first."""
    rows = await db.exec(
        select(TalkDocument).where(TalkDocument.talk_id == talk_id).order_by(col(TalkDocument.id))
    )
    return list(rows.all())


async def add_document(
    db: AsyncSession, settings: Settings, talk: Talk, filename: str, data: bytes
) -> TalkDocument:
    """Keep an uploaded document; a file that is not a PDF or slides, or too large, is refused
    and nothing is kept."""
    if len(data) > settings.talk_document_max_bytes:
        raise FieldError(
            "document_too_large",
            N_("The file is too large: at most %(mb)s MB."),
            "file",
            mb=settings.talk_document_max_bytes // 1_000_000,
        )
    kind = document_kind(data)
    if kind is None:
        raise FieldError(
            "document_type", N_("Only PDF files and slides (PPTX, ODP) can be added."), "file"
        )
    count = (await db.exec(select(func.count()).where(TalkDocument.talk_id == talk.id))).one()
    if count >= settings.talk_documents_max:
        raise FieldError(
            "documents_full",
            N_("A talk holds at most %(n)s documents."),
            "file",
            n=settings.talk_documents_max,
        )
    content_type, extension = kind
    stored = f"{secrets.token_urlsafe(18)}.{extension}"
    folder = documents_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / stored).write_bytes(data)
    assert talk.id is not None
    document = TalkDocument(
        talk_id=talk.id,
        name=document_name(filename, extension),
        stored_name=stored,
        content_type=content_type,
        size=len(data),
    )
    db.add(document)
    await db.flush()
    return document


def remove_files(settings: Settings, stored_names: list[str]) -> None:
    """Delete stored documents' files (after their rows are gone)."""
    for name in stored_names:
        (documents_folder(settings) / name).unlink(missing_ok=True)


async def read_upload(settings: Settings, upload: StarletteUpload) -> bytes:
    """An uploaded file's bytes, up to one past the limit (enough to refuse it)."""
    return await upload.read(settings.talk_document_max_bytes + 1)


async def remove_document(
    db: AsyncSession, settings: Settings, talk_id: int, document_id: int
) -> None:
    """Remove a talk's document and its file."""
    document = await _document(db, talk_id, document_id)
    stored = document.stored_name
    await db.delete(document)
    await db.flush()
    remove_files(settings, [stored])


async def _document(db: AsyncSession, talk_id: int, document_id: int) -> TalkDocument:
    document = await db.get(TalkDocument, document_id)
    if document is None or document.talk_id != talk_id:
        raise NotFound("document_not_found", N_("No such document."))
    return document


@router.get("/api/talks/{talk_id}/documents")
async def talk_documents(
    talk_id: RowId, db: DbSession, principal: MaybePrincipal
) -> list[DocumentOut]:
    """A talk's documents (the event's members and points)."""
    talk = await get_talk(db, talk_id)
    await require_standing(db, principal, talk.event_id)
    return [document_out(d) for d in await list_documents(db, talk_id)]


@router.post("/api/talks/{talk_id}/documents", status_code=201)
async def upload_document(
    talk_id: RowId,
    file: UploadFile,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> DocumentOut:
    """Add a PDF or slides to a talk (organisers); the type is checked by content."""
    _event, talk = await organised_talk(db, principal, talk_id)
    data = await read_upload(settings, file)
    return document_out(await add_document(db, settings, talk, file.filename or "", data))


@router.get("/api/talks/{talk_id}/documents/{document_id}")
async def download_document(
    talk_id: RowId,
    document_id: RowId,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> FileResponse:
    """Download a talk's document (the event's members and points)."""
    talk = await get_talk(db, talk_id)
    await require_standing(db, principal, talk.event_id)
    document = await _document(db, talk_id, document_id)
    return FileResponse(
        documents_folder(settings) / document.stored_name,
        media_type=document.content_type,
        filename=document.name,
    )


@router.delete("/api/talks/{talk_id}/documents/{document_id}", status_code=204)
async def delete_document(
    talk_id: RowId,
    document_id: RowId,
    db: DbSession,
    settings: AppSettings,
    principal: MaybePrincipal,
) -> Response:
    """Remove a document (organisers)."""
    await organised_talk(db, principal, talk_id)
    await remove_document(db, settings, talk_id, document_id)
    return Response(status_code=204)
