"""Files that arrive with a contact (e-mail attachments), kept safely.

- A size limit (PUENTE_ATTACHMENT_MAX_BYTES): a bigger file is refused, and listed.
- The type is what the bytes are, sniffed from their first bytes against an allow-list
  (PDF, common photos, plain text, Word documents), never what the sender declared: an
  HTML page or a program named "photo.jpg" is refused.
- Stored outside the web root (PUENTE_ATTACHMENT_DIR, mode 700; files 600) under a random
  name, so nothing in the sender's file name reaches the file system.
- Only ever downloaded (Content-Disposition: attachment, nosniff, a sandboxing CSP), by
  someone who may read the contact, and audited (`views.download_attachment`).
- Deleted from the disk when its row goes (a retention purge of the contact).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
HEIC = "image/heic"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = frozenset({PDF, PNG, JPEG, GIF, WEBP, HEIC, TEXT, DOCX})

_HTML_START = re.compile(rb"^\s*<(!doctype|html|head|body|script|svg|\?xml|iframe)", re.I)
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> str:
    """The type these bytes are, if it is one we keep; "" otherwise."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"heif"}:
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_word_document(data) else ""
    if _is_plain_text(data):
        return TEXT
    return ""


def _is_word_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    # A .docx cannot hold macros; one that carries a VBA project is a .docm in disguise.
    return "word/document.xml" in names and not any(n.endswith("vbaProject.bin") for n in names)


def _is_plain_text(data: bytes) -> bool:
    if not data or _TEXT_CONTROL.search(data) or _HTML_START.match(data[:512]):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def safe_filename(name: str | None) -> str:
    """The sender's file name, for showing and for the download's name only: no folders,
    no control characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    return name[:200] or "attachment"


@dataclass(frozen=True)
class Kept:
    filename: str
    content_type: str
    size: int
    sha256: str
    stored_name: str


@dataclass(frozen=True)
class Refusal:
    filename: str
    reason: str  # "too_large" or "type_not_allowed"
    size: int
    declared_type: str

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "reason": self.reason,
            "size": self.size,
            "declared_type": self.declared_type[:100],
        }


def folder() -> Path:
    path = Path(settings.PUENTE_ATTACHMENT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", stored_name):
        raise ValueError("not a stored attachment name")
    return folder() / stored_name


def check(*, filename: str | None, declared_type: str, data: bytes) -> Refusal | str:
    """The sniffed type of a file we keep, or why it is refused."""
    name = safe_filename(filename)
    if len(data) > settings.PUENTE_ATTACHMENT_MAX_BYTES:
        return Refusal(name, "too_large", len(data), declared_type)
    kind = sniff(data)
    if kind not in ALLOWED_TYPES:
        return Refusal(name, "type_not_allowed", len(data), declared_type)
    return kind


def store(*, filename: str | None, content_type: str, data: bytes) -> Kept:
    """Write the file under a fresh random name, readable by this process's user only."""
    stored_name = secrets.token_hex(32)
    fd = os.open(path_of(stored_name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return Kept(
        filename=safe_filename(filename),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        stored_name=stored_name,
    )


def discard(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink(missing_ok=True)
    except ValueError:
        pass


def remove_file_on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_delete of an Attachment: the file goes once the deletion commits (a purge
    rolled back keeps it)."""
    stored_name = instance.stored_name
    transaction.on_commit(lambda: discard(stored_name))
