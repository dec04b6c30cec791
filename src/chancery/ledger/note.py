"""Signed notes, checkpoints, witness cosignatures and witness requests, per the C2SP specs.

This module is pure Python (standard library plus ``cryptography``) with no Django imports, so
that receipt verifiers and monitors can use it offline. It implements:

- ``c2sp.org/signed-note`` (the format of Go's ``golang.org/x/mod/sumdb/note``): Ed25519 keys in
  Go's text formats (signer key ``PRIVATE+KEY+<name>+<hex8>+<base64(0x01 || seed)>``, verifier
  key ``<name>+<hex8>+<base64(0x01 || public key)>``), :func:`sign_note` and :func:`open_note`.
- ``c2sp.org/tlog-checkpoint``: :class:`Checkpoint` and the strict :func:`parse_checkpoint`.
- ``c2sp.org/tlog-cosignature``, the Ed25519 ``cosignature/v1`` type (signature type 0x04):
  :class:`CosignatureSigner` and :class:`CosignatureVerifier`. A cosignature is a note signature
  line, so a cosigned checkpoint is opened with :func:`open_note` given the log's verifier and
  the witnesses' verifiers in one list; the timestamps come back in
  :attr:`OpenedNote.cosignatures`.
- ``c2sp.org/tlog-witness``, the body of an ``add-checkpoint`` request:
  :func:`format_add_checkpoint` and :func:`parse_add_checkpoint`.

Every malformed input raises :class:`NoteError` (a :class:`ValueError`) whose message says what
is wrong. Parsing is deliberately strict (canonical base64, decimal numbers without leading zeros,
the signature limits of Go's implementation), so that two parties who accept the same bytes agree
on what they mean.
"""

from __future__ import annotations

import abc
import base64
import binascii
import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "MAX_PROOF_LINES",
    "MAX_SIGNATURES",
    "AddCheckpoint",
    "Checkpoint",
    "CosignatureSigner",
    "CosignatureVerifier",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "Signature",
    "Signer",
    "UnverifiedNoteError",
    "Verifier",
    "cosignature_timestamp",
    "format_add_checkpoint",
    "generate_key",
    "generate_witness_key",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_add_checkpoint",
    "parse_checkpoint",
    "parse_signature_line",
    "parse_verifier",
    "sign_note",
]

#: Signature type byte of plain Ed25519 note signatures (c2sp.org/signed-note).
ALG_ED25519 = 0x01
#: Signature type byte of timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature).
ALG_COSIGNATURE_V1 = 0x04

#: At most this many signature lines in a note. The spec asks verifiers to accept at least 16 and
#: to apply some limit; 100 is the limit of Go's ``sumdb/note.Open``, the reference implementation.
MAX_SIGNATURES = 100
#: At most this many consistency proof lines in an add-checkpoint request (c2sp.org/tlog-witness).
MAX_PROOF_LINES = 63
#: Largest tree size and timestamp accepted: 2^63 - 1, the limit of tlog-cosignature timestamps
#: and of Go's ``sumdb/tlog`` sizes (an int64).
MAX_UINT63 = (1 << 63) - 1

_EM_DASH_PREFIX = "\u2014 "  # "— ": em dash U+2014, then a space
_COSIGNATURE_HEADER = b"cosignature/v1\n"
_HASH_SIZE = 32
_ED25519_SIG_SIZE = 64
_TIMESTAMP_SIZE = 8

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")

# Go's unicode.IsSpace: the Unicode White_Space property (which isValidName rejects in names).
# Spelled out rather than using str.isspace(), whose definition differs in a few code points.
_UNICODE_SPACES = frozenset(
    "\t\n\v\f\r \u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


class NoteError(ValueError):
    """A key, note, checkpoint or witness request is malformed or does not verify."""


class UnverifiedNoteError(NoteError):
    """The note is well formed but no known key signed it.

    The parsed note (with every signature in :attr:`OpenedNote.unverified`) is in :attr:`note`,
    for callers that want to report whose signatures it does carry. Its text MUST NOT be trusted.
    """

    def __init__(self, note: OpenedNote) -> None:
        super().__init__("note has no verifiable signatures")
        self.note = note


# --- Helpers -------------------------------------------------------------------------------------


def _name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid key name (Go's ``isValidName``), or None if it is."""
    if not isinstance(name, str):
        return f"key name must be a string, not {type(name).__name__}"
    if not name:
        return "key name is empty"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"key name {name!r} is not valid UTF-8"
    if "+" in name:
        return f"key name {name!r} contains '+'"
    if any(c in _UNICODE_SPACES for c in name):
        return f"key name {name!r} contains white space"
    if any(ord(c) < 0x20 for c in name):
        return f"key name {name!r} contains a control character"
    return None


def _check_name(name: object) -> str:
    problem = _name_problem(name)
    if problem is not None:
        raise NoteError(problem)
    assert isinstance(name, str)
    return name


def _b64decode(text: str, what: str) -> bytes:
    """Decode standard, padded base64 (RFC 4648 §4), accepting only its canonical encoding.

    Go accepts non-canonical encodings (nonzero unused bits); rejecting them costs nothing in
    practice (every implementation writes canonical base64) and means one value has one text.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64: {text[:80]!r}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64: {text[:80]!r}")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _parse_decimal(text: str, what: str, maximum: int = MAX_UINT63) -> int:
    if not _DECIMAL.fullmatch(text):
        raise NoteError(
            f"{what} must be a decimal number without leading zeros or signs, not {text[:40]!r}"
        )
    value = int(text)
    if value > maximum:
        raise NoteError(f"{what} {value} is too large (at most {maximum})")
    return value


def _check_uint(value: object, what: str, maximum: int = MAX_UINT63) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise NoteError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise NoteError(f"{what} {value} is out of range (0 to {maximum})")
    return value


def _check_text_chars(text: str, what: str) -> bytes:
    """UTF-8 encode ``text``, which may hold no ASCII control character other than newline."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8 (it contains a lone surrogate)") from None
    for i, c in enumerate(text):
        if ord(c) < 0x20 and c != "\n":
            raise NoteError(
                f"{what} contains the control character U+{ord(c):04X} at offset {i};"
                " only newline is allowed"
            )
    return raw


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """The key ID (key hash): ``SHA-256(name || 0x0A || alg || public_key)[:4]``, big-endian."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _vkey_text(name: str, alg: int, public_key: bytes) -> str:
    kid = key_id(name, alg, public_key)
    return f"{name}+{kid:08x}+{_b64encode(bytes([alg]) + public_key)}"


def _parse_key_text(text: object, what: str, private: bool) -> tuple[str, int, int, bytes]:
    """Split a signer or verifier key text into (name, key ID as written, alg, key material).

    Like Go's parser this splits at the first '+'s only: names have none, base64 may.
    """
    if not isinstance(text, str):
        raise NoteError(f"{what} must be a string, not {type(text).__name__}")
    rest = text
    if private:
        if not text.startswith("PRIVATE+KEY+"):
            raise NoteError(f"{what} must start with 'PRIVATE+KEY+'")
        rest = text[len("PRIVATE+KEY+") :]
    parts = rest.split("+", 2)
    if len(parts) != 3:
        shape = "PRIVATE+KEY+<name>+<hex8>+<base64>" if private else "<name>+<hex8>+<base64>"
        raise NoteError(f"{what} must have the form {shape}")
    name, hex8, key64 = parts
    problem = _name_problem(name)
    if problem is not None:
        raise NoteError(f"{what}: {problem}")
    if not _HEX8.fullmatch(hex8):
        raise NoteError(f"{what}: key ID {hex8[:20]!r} is not 8 hexadecimal digits")
    raw = _b64decode(key64, f"{what} material")
    if not raw:
        raise NoteError(f"{what}: key material is empty")
    return name, int(hex8, 16), raw[0], raw[1:]


def _expect_alg(alg: int, wanted: int, what: str) -> None:
    if alg == wanted:
        return
    kinds = {ALG_ED25519: "an Ed25519 note key", ALG_COSIGNATURE_V1: "a cosignature/v1 key"}
    known = kinds.get(alg)
    if known is not None:
        raise NoteError(f"{what} is {known} (type 0x{alg:02x}), not {kinds[wanted]}")
    raise NoteError(f"{what} has the unknown signature type 0x{alg:02x}")


def _load_private(text: object, alg: int, what: str) -> tuple[str, int, Ed25519PrivateKey]:
    name, kid, got_alg, seed = _parse_key_text(text, what, private=True)
    _expect_alg(got_alg, alg, what)
    if len(seed) != 32:
        raise NoteError(f"{what}: the Ed25519 seed is {len(seed)} bytes, not 32")
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    public = _raw_public(private_key.public_key())
    if key_id(name, alg, public) != kid:
        raise NoteError(f"{what}: key ID {kid:08x} does not match the key")
    return name, kid, private_key


def _load_public(text: object, alg: int, what: str) -> tuple[str, int, bytes]:
    name, kid, got_alg, public = _parse_key_text(text, what, private=False)
    _expect_alg(got_alg, alg, what)
    if len(public) != 32:
        raise NoteError(f"{what}: the Ed25519 public key is {len(public)} bytes, not 32")
    if key_id(name, alg, public) != kid:
        raise NoteError(f"{what}: key ID {kid:08x} does not match the key")
    return name, kid, public


def _load_ed25519_public(raw: bytes) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise NoteError(f"invalid Ed25519 public key: {exc}") from None


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _generate(name: str, alg: int) -> tuple[str, str]:
    _check_name(name)
    private_key = Ed25519PrivateKey.generate()
    public = _raw_public(private_key.public_key())
    kid = key_id(name, alg, public)
    skey = f"PRIVATE+KEY+{name}+{kid:08x}+{_b64encode(bytes([alg]) + _raw_seed(private_key))}"
    return skey, _vkey_text(name, alg, public)


def _ed25519_verify(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    if len(signature) != _ED25519_SIG_SIZE:
        return False
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


# --- Keys, signers and verifiers -----------------------------------------------------------------


class NoteSigner(abc.ABC):
    """Anything :func:`sign_note` can sign with: a key name, a key ID and a signing function."""

    name: str
    key_id: int

    @property
    @abc.abstractmethod
    def vkey(self) -> str:
        """The verifier key text to give to those who check this signer's signatures."""

    @abc.abstractmethod
    def sign(self, text: bytes) -> bytes:
        """The signature bytes over a note text (without the 4-byte key ID)."""


class NoteVerifier(abc.ABC):
    """A known key for :func:`open_note`: plain Ed25519 (:class:`Verifier`) or a witness's
    cosignature/v1 key (:class:`CosignatureVerifier`), so that both can go in one list.
    """

    name: str
    key_id: int

    @property
    @abc.abstractmethod
    def vkey(self) -> str:
        """This key's verifier key text."""

    @abc.abstractmethod
    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key ID) is this key's valid signature of ``text``."""

    def timestamp(self, signature: bytes) -> int | None:
        """The time the signature claims to have been made, for timestamped types; else None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"


class _Ed25519Signer(NoteSigner):
    """An Ed25519 signing key whose signature type byte is the class's ``_ALG``; ``_WHAT`` names
    its key text in error messages."""

    _ALG: ClassVar[int]
    _WHAT: ClassVar[str]

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = _check_name(name)
        self._private = private_key
        self._public = _raw_public(private_key.public_key())
        self.key_id = key_id(self.name, self._ALG, self._public)

    @classmethod
    def from_text(cls, skey: str) -> Self:
        """Parse ``PRIVATE+KEY+<name>+<hex8>+<base64(alg || 32-byte seed)>``, where ``alg`` must
        be this class's type byte (a key of another type is refused)."""
        name, _kid, private_key = _load_private(skey, cls._ALG, cls._WHAT)
        return cls(name, private_key)

    @property
    def vkey(self) -> str:
        """``<name>+<hex8>+<base64(alg || public key)>``, the verifier key for this type."""
        return _vkey_text(self.name, self._ALG, self._public)

    def __repr__(self) -> str:  # never show the private key
        return f"{type(self).__name__}(name={self.name!r}, key_id=0x{self.key_id:08x})"


class _Ed25519Verifier(NoteVerifier):
    """A known Ed25519 key whose signature type byte is the class's ``_ALG``; ``_WHAT`` names its
    key text in error messages."""

    _ALG: ClassVar[int]
    _WHAT: ClassVar[str]

    def __init__(self, name: str, public_key: bytes) -> None:
        self.name = _check_name(name)
        if len(public_key) != 32:
            raise NoteError(f"Ed25519 public key is {len(public_key)} bytes, not 32")
        self._raw = bytes(public_key)
        self._public = _load_ed25519_public(self._raw)
        self.key_id = key_id(self.name, self._ALG, self._raw)

    @classmethod
    def from_text(cls, vkey: str) -> Self:
        """Parse ``<name>+<hex8>+<base64(alg || 32-byte public key)>``, where ``alg`` must be
        this class's type byte (a key of another type is refused)."""
        name, _kid, public = _load_public(vkey, cls._ALG, cls._WHAT)
        return cls(name, public)

    @property
    def vkey(self) -> str:
        return _vkey_text(self.name, self._ALG, self._raw)


class Signer(_Ed25519Signer):
    """A log's Ed25519 note signing key (type 0x01), from Go's signer key text
    ``PRIVATE+KEY+<name>+<hex8>+<base64(0x01 || 32-byte seed)>``."""

    _ALG = ALG_ED25519
    _WHAT = "signer key"

    def verifier(self) -> Verifier:
        return Verifier.from_text(self.vkey)

    def sign(self, text: bytes) -> bytes:
        return self._private.sign(text)


class Verifier(_Ed25519Verifier):
    """A known Ed25519 note key (type 0x01), from Go's verifier key text
    ``<name>+<hex8>+<base64(0x01 || 32-byte public key)>``."""

    _ALG = ALG_ED25519
    _WHAT = "verifier key"

    def verify(self, text: bytes, signature: bytes) -> bool:
        return _ed25519_verify(self._public, signature, text)


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 note key for ``name``: (signer key text, verifier key text).

    The signer key text is secret.
    """
    return _generate(name, ALG_ED25519)


def _cosigned_message(text: bytes, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, then the checkpoint body."""
    return _COSIGNATURE_HEADER + b"time %d\n" % timestamp + text


class CosignatureSigner(_Ed25519Signer):
    """A witness's Ed25519 cosignature/v1 key (signature type 0x04).

    The key ID is computed with type byte 0x04, so the same Ed25519 key used as a plain note key
    would have another ID; the spec's Ed25519 message does not commit to the witness name, hence
    one key per witness. Its signer key text is
    ``PRIVATE+KEY+<name>+<hex8>+<base64(0x04 || 32-byte seed)>``: plain note signer keys
    (type 0x01) are refused, so that a log key is not reused as a witness key by mistake.
    """

    _ALG = ALG_COSIGNATURE_V1
    _WHAT = "witness signer key"

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_text(self.vkey)

    def sign_at(self, text: bytes, timestamp: int) -> bytes:
        """``timestamp (uint64 big-endian) || Ed25519 signature`` over the cosigned message."""
        _check_uint(timestamp, "cosignature timestamp")
        parse_checkpoint(_decode_utf8(text, "cosigned text"))
        signature = self._private.sign(_cosigned_message(text, timestamp))
        return timestamp.to_bytes(_TIMESTAMP_SIZE, "big") + signature

    def sign(self, text: bytes) -> bytes:
        """Cosign a checkpoint body at the current time (this makes it usable by sign_note)."""
        return self.sign_at(text, int(time.time()))

    def cosign(self, checkpoint_body: str, timestamp: int) -> str:
        """The full signature line ``— <name> <base64(key ID || timestamp || signature)>\\n``.

        ``checkpoint_body`` is the checkpoint's note text (see :meth:`Checkpoint.body`); it must
        parse as a checkpoint, since that is the only thing a cosignature may vouch for.
        """
        raw = self.sign_at(checkpoint_body.encode("utf-8"), timestamp)
        return Signature(self.name, self.key_id, _b64encode(self._id_bytes() + raw)).line

    def _id_bytes(self) -> bytes:
        return self.key_id.to_bytes(4, "big")


class CosignatureVerifier(_Ed25519Verifier):
    """A known witness key (cosignature/v1, type 0x04), from its verifier key text
    ``<name>+<hex8>+<base64(0x04 || 32-byte public key)>``."""

    _ALG = ALG_COSIGNATURE_V1
    _WHAT = "witness verifier key"

    def verify(self, text: bytes, signature: bytes) -> bool:
        if len(signature) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
            return False
        timestamp = int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")
        if timestamp > MAX_UINT63:  # the spec's MUST NOT exceed 2^63 - 1
            return False
        message = _cosigned_message(text, timestamp)
        return _ed25519_verify(self._public, signature[_TIMESTAMP_SIZE:], message)

    def timestamp(self, signature: bytes) -> int | None:
        if len(signature) < _TIMESTAMP_SIZE:
            return None
        return int.from_bytes(signature[:_TIMESTAMP_SIZE], "big")


def generate_witness_key(name: str) -> tuple[str, str]:
    """A new cosignature/v1 witness key for ``name``: (signer key text, verifier key text).

    Both texts carry type byte 0x04 (``PRIVATE+KEY+<name>+<hex8>+<base64(0x04 || seed)>`` and
    ``<name>+<hex8>+<base64(0x04 || public key)>``). The signer key text is secret.
    """
    return _generate(name, ALG_COSIGNATURE_V1)


def parse_verifier(vkey: str) -> NoteVerifier:
    """A :class:`Verifier` or :class:`CosignatureVerifier`, whichever the key's type byte says."""
    _name, _kid, alg, _material = _parse_key_text(vkey, "verifier key", private=False)
    if alg == ALG_COSIGNATURE_V1:
        return CosignatureVerifier.from_text(vkey)
    return Verifier.from_text(vkey)


# --- Signed notes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: ``— <name> <base64>``, where the base64 starts with the
    4-byte big-endian key ID."""

    name: str
    key_id: int
    base64: str

    @property
    def line(self) -> str:
        """The signature line, with its final newline."""
        return f"{_EM_DASH_PREFIX}{self.name} {self.base64}\n"

    @property
    def raw(self) -> bytes:
        """The signature bytes after the key ID."""
        return base64.b64decode(self.base64)[4:]


def parse_signature_line(line: str) -> Signature:
    """Parse one note signature line (with or without its final newline)."""
    if line.endswith("\n"):
        line = line[:-1]
    if "\n" in line:
        raise NoteError("a signature line cannot contain a newline")
    if not line.startswith(_EM_DASH_PREFIX):
        raise NoteError(
            f"signature line {line[:80]!r} does not start with an em dash (U+2014) and a space"
        )
    name, sep, b64 = line[len(_EM_DASH_PREFIX) :].partition(" ")
    if not sep:
        raise NoteError(f"signature line {line[:80]!r} has no space between name and signature")
    problem = _name_problem(name)
    if problem is not None:
        raise NoteError(f"signature line: {problem}")
    if not b64:
        raise NoteError(f"signature line of {name!r} has an empty signature")
    raw = _b64decode(b64, f"signature of {name!r}")
    if len(raw) < 5:
        raise NoteError(
            f"signature of {name!r} is {len(raw)} bytes; a key ID and a signature need 5 or more"
        )
    return Signature(name, int.from_bytes(raw[:4], "big"), b64)


def cosignature_timestamp(signature: Signature | str) -> int:
    """The timestamp of a cosignature/v1 signature (or signature line), without verifying it.

    Useful to report when unknown witnesses cosigned; only a verified cosignature (see
    :attr:`OpenedNote.cosignatures`) says anything.
    """
    sig = parse_signature_line(signature) if isinstance(signature, str) else signature
    raw = sig.raw
    if len(raw) != _TIMESTAMP_SIZE + _ED25519_SIG_SIZE:
        raise NoteError(
            f"signature of {sig.name!r} is {len(raw)} bytes after the key ID,"
            f" not the {_TIMESTAMP_SIZE + _ED25519_SIG_SIZE} of a cosignature/v1"
        )
    return int.from_bytes(raw[:_TIMESTAMP_SIZE], "big")


@dataclass
class OpenedNote:
    """A note whose signatures :func:`open_note` checked.

    ``verified`` lists ``(name, key_id)`` of each known key whose signature verified (log keys and
    witness keys alike), in note order; ``cosignatures`` lists ``(name, key_id, timestamp)`` for
    the verified ones that are timestamped cosignatures; ``unverified`` holds the signature lines
    (with their newline) of keys not in the verifier list, kept as they were.
    """

    text: str
    verified: list[tuple[str, int]] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    cosignatures: list[tuple[str, int, int]] = field(default_factory=list)


def _decode_utf8(data: str | bytes, what: str) -> str:
    if isinstance(data, str):
        return data
    if not isinstance(data, bytes | bytearray | memoryview):
        raise NoteError(f"{what} must be str or bytes, not {type(data).__name__}")
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError(f"{what} is not valid UTF-8 (byte offset {exc.start})") from None


def _split_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """Check a signed note's syntax and split it into its text and signatures (none verified)."""
    text_all = _decode_utf8(note, "note")
    _check_text_chars(text_all, "note")
    split = text_all.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line separates the text from the signatures")
    text, sig_block = text_all[: split + 1], text_all[split + 2 :]
    if not sig_block:
        raise NoteError("malformed note: no signature lines after the blank line")
    if not sig_block.endswith("\n"):
        raise NoteError("malformed note: the last signature line does not end in a newline")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(
            f"malformed note: {len(lines)} signature lines, more than the limit of {MAX_SIGNATURES}"
        )
    try:
        signatures = [parse_signature_line(line) for line in lines]
    except NoteError as exc:
        raise NoteError(f"malformed note: {exc}") from None
    return text, signatures


def open_note(
    note: str | bytes, verifiers: Iterable[NoteVerifier] | NoteVerifier
) -> OpenedNote:
    """Parse a signed note and verify the signatures of the known keys.

    Signatures of keys not in ``verifiers`` (matched by name *and* key ID, as the spec requires)
    are kept in :attr:`OpenedNote.unverified`. Raises :class:`NoteError` if the note is
    malformed, if a known key's signature does not verify, or if two different verifiers share a
    name and key ID that a signature uses; raises :class:`UnverifiedNoteError` if no known key
    signed it. Every signature of a known key is checked, duplicates included (Go checks only the
    first): one bad signature from a known key rejects the note.
    """
    text, signatures = _split_note(note)
    # A single verifier is a list of one.
    verifier_list = [verifiers] if isinstance(verifiers, NoteVerifier) else list(verifiers)
    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for v in verifier_list:
        if not isinstance(v, NoteVerifier):
            raise NoteError(f"verifiers must be NoteVerifier objects, not {type(v).__name__}")
        bucket = known.setdefault((v.name, v.key_id), [])
        if all(other.vkey != v.vkey for other in bucket):  # the same key twice is harmless
            bucket.append(v)

    text_bytes = text.encode("utf-8")
    opened = OpenedNote(text=text)
    seen_unverified: set[str] = set()
    seen_verified: set[tuple[str, int]] = set()
    for sig in signatures:
        ident = (sig.name, sig.key_id)
        matches = known.get(ident, [])
        if not matches:
            if sig.line not in seen_unverified:
                seen_unverified.add(sig.line)
                opened.unverified.append(sig.line)
            continue
        if len(matches) > 1:
            raise NoteError(f"ambiguous key {sig.name}+{sig.key_id:08x}")
        verifier = matches[0]
        raw = sig.raw
        if not verifier.verify(text_bytes, raw):
            raise NoteError(f"invalid signature for key {sig.name}+{sig.key_id:08x}")
        if ident in seen_verified:
            continue
        seen_verified.add(ident)
        opened.verified.append(ident)
        ts = verifier.timestamp(raw)
        if ts is not None:
            opened.cosignatures.append((sig.name, sig.key_id, ts))
    if not opened.verified:
        raise UnverifiedNoteError(opened)
    return opened


def sign_note(text: str, *signers: NoteSigner) -> str:
    """Sign ``text`` with each signer: the text, a blank line, then one line per signer.

    ``text`` must end in a newline and hold no control characters other than newlines (it may
    contain empty lines: a note's signatures follow its *last* blank line).
    """
    if not isinstance(text, str):
        raise NoteError(f"note text must be a string, not {type(text).__name__}")
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    raw = _check_text_chars(text, "note text")
    if not signers:
        raise NoteError("sign_note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise NoteError(f"at most {MAX_SIGNATURES} signatures fit in a note")
    lines = []
    for signer in signers:
        if not isinstance(signer, NoteSigner):
            raise NoteError(f"signers must be NoteSigner objects, not {type(signer).__name__}")
        name = _check_name(signer.name)
        sig = signer.sign(raw)
        b64 = _b64encode(_check_uint(signer.key_id, "key ID", 0xFFFFFFFF).to_bytes(4, "big") + sig)
        lines.append(Signature(name, signer.key_id, b64).line)
    return text + "\n" + "".join(lines)


# --- Checkpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint: the note text ``origin``, tree ``size`` and base64 ``root``, then any
    extension lines. Validated on construction, so :meth:`body` always parses back."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise NoteError("checkpoint origin must be a non-empty string")
        _check_line(self.origin, "checkpoint origin")
        _check_uint(self.size, "checkpoint size")
        if not isinstance(self.root, bytes) or len(self.root) != _HASH_SIZE:
            got = len(self.root) if isinstance(self.root, bytes) else type(self.root).__name__
            raise NoteError(f"checkpoint root must be {_HASH_SIZE} bytes, not {got}")
        if not isinstance(self.extensions, tuple):
            object.__setattr__(self, "extensions", tuple(self.extensions))
        for i, line in enumerate(self.extensions):
            if not isinstance(line, str) or not line:
                raise NoteError(f"checkpoint extension line {i + 1} must be a non-empty string")
            _check_line(line, f"checkpoint extension line {i + 1}")

    def body(self) -> str:
        """The note text: ``origin\\nsize\\nbase64(root)\\n`` and one line per extension."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def _check_line(line: str, what: str) -> None:
    if "\n" in line:
        raise NoteError(f"{what} contains a newline")
    _check_text_chars(line, what)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint's note text (for example :attr:`OpenedNote.text`), strictly.

    At least three lines, each ending in a newline and non-empty: a non-empty origin, a decimal
    size with no leading zeros (``0`` for the empty tree), the canonical base64 of a 32-byte root
    hash; any further lines are extension lines.
    """
    if not isinstance(text, str):
        raise NoteError(f"checkpoint must be a string, not {type(text).__name__}")
    _check_text_chars(text, "checkpoint")
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(f"checkpoint has {len(lines)} lines; it needs origin, size and root hash")
    for i, line in enumerate(lines):
        if not line:
            raise NoteError(f"checkpoint line {i + 1} is empty")
    origin, size_text, root_text, *extensions = lines
    size = _parse_decimal(size_text, "checkpoint size")
    root = _b64decode(root_text, "checkpoint root hash")
    if len(root) != _HASH_SIZE:
        raise NoteError(f"checkpoint root hash is {len(root)} bytes, not {_HASH_SIZE}")
    return Checkpoint(origin=origin, size=size, root=root, extensions=tuple(extensions))


def open_checkpoint(
    note: str | bytes,
    log_verifier: NoteVerifier,
    witnesses: Sequence[NoteVerifier] = (),
) -> tuple[Checkpoint, OpenedNote]:
    """Open a (possibly cosigned) checkpoint note that the *log's* key must have signed.

    :func:`open_note` accepts a note any known key signed, so a note signed by a witness alone
    would pass it; here the log's own signature is required and the text must be a checkpoint.
    """
    opened = open_note(note, [log_verifier, *witnesses])
    if (log_verifier.name, log_verifier.key_id) not in opened.verified:
        raise NoteError(
            f"checkpoint is not signed by the log key {log_verifier.name}+{log_verifier.key_id:08x}"
        )
    return parse_checkpoint(opened.text), opened


# --- tlog-witness add-checkpoint requests --------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """The body of a tlog-witness ``add-checkpoint`` request.

    ``note`` is the signed checkpoint note, syntactically checked but not verified (only the
    witness knows which log keys it trusts).
    """

    old_size: int
    proof: list[bytes]
    note: str

    @property
    def checkpoint(self) -> Checkpoint:
        """The checkpoint in :attr:`note` (unverified)."""
        text, _sigs = _split_note(self.note)
        return parse_checkpoint(text)


def _check_proof(old_size: int, proof: Sequence[bytes]) -> None:
    if len(proof) > MAX_PROOF_LINES:
        raise NoteError(f"{len(proof)} consistency proof lines, more than {MAX_PROOF_LINES}")
    if old_size == 0 and proof:
        raise NoteError("the consistency proof must be empty when the old size is 0")


def format_add_checkpoint(
    old_size: int, consistency_proof: Sequence[bytes], checkpoint_note: str
) -> bytes:
    """The ``add-checkpoint`` request body: ``old <size>``, one base64 line per proof hash, an
    empty line, then the signed checkpoint note."""
    _check_uint(old_size, "old size")
    proof = list(consistency_proof)
    for i, h in enumerate(proof):
        if not isinstance(h, bytes) or len(h) != _HASH_SIZE:
            raise NoteError(f"consistency proof hash {i + 1} must be {_HASH_SIZE} bytes")
    _check_proof(old_size, proof)
    _text, _sigs = _split_note(checkpoint_note)
    checkpoint = parse_checkpoint(_text)
    if old_size > checkpoint.size:
        raise NoteError(f"old size {old_size} exceeds the checkpoint size {checkpoint.size}")
    head = f"old {old_size}\n" + "".join(_b64encode(h) + "\n" for h in proof) + "\n"
    return (head + _decode_utf8(checkpoint_note, "checkpoint note")).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse an ``add-checkpoint`` request body strictly (c2sp.org/tlog-witness).

    Checks the old size line, at most 63 proof lines of 32-byte hashes (none if the old size is
    0), the empty line, and that the rest is a well-formed signed note whose text is a checkpoint
    no smaller than the old size. Signatures are not verified.
    """
    text = _decode_utf8(body, "add-checkpoint body")
    first, sep, rest = text.partition("\n")
    if not sep:
        raise NoteError("add-checkpoint body has no newline after the old size line")
    if not first.startswith("old "):
        raise NoteError(f"add-checkpoint body must start with 'old <size>', not {first[:40]!r}")
    old_size = _parse_decimal(first[len("old ") :], "old size")
    proof: list[bytes] = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise NoteError("add-checkpoint body has no empty line before the checkpoint")
        if not line:
            break
        if len(proof) == MAX_PROOF_LINES:
            raise NoteError(f"add-checkpoint body has more than {MAX_PROOF_LINES} proof lines")
        h = _b64decode(line, f"consistency proof line {len(proof) + 1}")
        if len(h) != _HASH_SIZE:
            raise NoteError(
                f"consistency proof line {len(proof) + 1} is {len(h)} bytes, not {_HASH_SIZE}"
            )
        proof.append(h)
    _check_proof(old_size, proof)
    if not rest:
        raise NoteError("add-checkpoint body has no checkpoint after the empty line")
    result = AddCheckpoint(old_size=old_size, proof=proof, note=rest)
    checkpoint = result.checkpoint
    if old_size > checkpoint.size:
        raise NoteError(f"old size {old_size} exceeds the checkpoint size {checkpoint.size}")
    return result
