"""The log's and the witness's Ed25519 keys, kept in the data folder.

Each key is made on first use and written once, atomically, with mode 0600 (the file is created
with that mode, so it is never readable by others even for a moment). Later starts read it back;
a key whose name does not match the configured origin stops the process with a clear error
rather than signing checkpoints under a name verifiers do not expect.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

from chancery.ledger import note

S = TypeVar("S", note.Signer, note.CosignatureSigner)


class LogKeyError(RuntimeError):
    """The key file is unusable (unreadable, malformed, or for another name)."""


def _load_or_create(path: Path, name: str, generate: object) -> str:
    if path.exists():
        text = path.read_text().strip()
        if not text:
            raise LogKeyError(f"{path} is empty; restore the key from a backup or remove the file")
        return text
    path.parent.mkdir(parents=True, exist_ok=True)
    skey, _vkey = generate(name)  # type: ignore[operator]
    # One temporary name per process and thread: the worker's pass and its sequencer thread
    # may both make the key on a first start.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (skey + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link() fails if another process made the key meanwhile: then both use that one.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def _signer(path: Path, name: str, kind: type[S], generate: Any, fix: str) -> S:
    """The key at ``path``, read (or made) once per process: the sequencer signs every batch."""
    cached = _SIGNERS.get((path, name))
    if isinstance(cached, kind):
        return cached
    text = _load_or_create(path, name, generate)
    try:
        signer = kind.from_text(text)
    except note.NoteError as exc:
        raise LogKeyError(f"{path}: {exc}") from None
    if signer.name != name:
        raise LogKeyError(f"{path} holds the key {signer.name!r}, but {fix} is {name!r}")
    _SIGNERS[(path, name)] = signer
    return signer


_SIGNERS: dict[tuple[Path, str], object] = {}


def log_signer() -> note.Signer:
    """The log's signer, made on first use in ``CHANCERY_LOG_KEY_FILE``."""
    return _signer(
        Path(settings.CHANCERY_LOG_KEY_FILE),
        settings.CHANCERY_LOG_ORIGIN,
        note.Signer,
        note.generate_key,
        "CHANCERY_LOG_ORIGIN (set it to the key's name, or use another data folder)",
    )


def witness_name() -> str:
    configured: str = settings.CHANCERY_WITNESS_NAME
    if configured:
        return configured
    host = settings.CHANCERY_LOG_ORIGIN.split("/", 1)[0]
    return f"{host}/witness"


def witness_signer() -> note.CosignatureSigner:
    """This installation's witness key (cosignature/v1), made on first use."""
    return _signer(
        Path(settings.CHANCERY_WITNESS_KEY_FILE),
        witness_name(),
        note.CosignatureSigner,
        note.generate_witness_key,
        "the witness name (CHANCERY_WITNESS_NAME; set it to the key's name)",
    )
