"""chancery.ledger.note against the C2SP specs and other implementations' published vectors.

No database. Public vectors, used verbatim:

- Go ``golang.org/x/mod/sumdb/note`` note_test.go: the PeterNeumann and EnochRoot keys, the
  signed note, and the malformed notes and keys of TestNewVerifier, TestNewSigner, TestSign and
  TestOpen.
- c2sp.org/signed-note (v1.1.0 "Verifier keys" example, as reproduced by several public test
  suites): the ``example.com/foo`` vkey and its signed note.
- c2sp.org/tlog-cosignature: the cosigned checkpoint example (timestamp 1679315147, the same as the
  spec's example signed message).
- c2sp.org/tlog-witness: the example add-checkpoint request body.
- FiloSottile/torchwood cmd/litewitness/testdata/multi-cosigs-ed25519.txt: an add-checkpoint body
  with old size 0.
- transparency-dev/formats note/note_cosigv1_test.go: vkeys (``remora.n621.de``, a type 0x04
  witness key, and ``TEST``), the malformed vkeys, and the cosignature timestamp vectors.
- florolf/tlog-scales tests: a real checkpoint of arche2025h1.staging.ct.transparency.dev with its
  log's Ed25519 signature, an RFC 6962 signature and four witness cosignatures, among them the
  production witness remora.n621.de, whose vkey (above) lets us verify a real cosignature.
"""

from __future__ import annotations

import base64
import hashlib
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.ledger.note import (
    MAX_PROOF_LINES,
    MAX_SIGNATURES,
    AddCheckpoint,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    NoteError,
    Signer,
    UnverifiedNoteError,
    Verifier,
    cosignature_timestamp,
    format_add_checkpoint,
    generate_key,
    generate_witness_key,
    key_id,
    open_checkpoint,
    open_note,
    parse_add_checkpoint,
    parse_checkpoint,
    parse_signature_line,
    parse_verifier,
    sign_note,
)

# --- Go sumdb/note vectors (note_test.go) --------------------------------------------------------

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
    "KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WW"
    "d1RvMc+QQ=\n"
)

# --- c2sp.org/signed-note example ----------------------------------------------------------------

SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONn"
    "cAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# --- c2sp.org/tlog-cosignature example (keys not published) --------------------------------------

SOFA_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)
SOFA_LOG_SIG = (
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q"
    "1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
)
SOFA_COSIG = (
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2o"
    "yin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)

# --- A real cosigned checkpoint (florolf/tlog-scales) --------------------------------------------

ARCHE_LOG_VKEY = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_BODY = (
    "arche2025h1.staging.ct.transparency.dev\n"
    "1432088532\n"
    "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n"
)
ARCHE_SIGS = [
    "— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPM"
    "HbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=\n",
    "— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3N"
    "ygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n",
    "— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2"
    "rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n",
    "— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ"
    "75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==\n",
    "— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sX"
    "Tynk5XeU/zZ0WBxtqB0DrAWfBw==\n",
    "— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY"
    "/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==\n",
]
ARCHE_NOTE = ARCHE_BODY + "\n" + "".join(ARCHE_SIGS)

# --- c2sp.org/tlog-witness example request body --------------------------------------------------

WITNESS_SPEC_PROOF = [
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=",
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=",
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=",
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=",
]
WITNESS_SPEC_NOTE = (
    SOFA_CHECKPOINT
    + "\n"
    + SOFA_LOG_SIG
    + "— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6"
    "267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
)
WITNESS_SPEC_BODY = (
    "old 20852014\n" + "".join(h + "\n" for h in WITNESS_SPEC_PROOF) + "\n" + WITNESS_SPEC_NOTE
).encode()

TORCHWOOD_BODY = (
    "old 0\n"
    "\n"
    "sigsum.org/v1/tree/985ea163f5af026723561354f51f2ebcdcf2af809ce254ccfb64aa9aadd80f90\n"
    "1\n"
    "KgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    "\n"
    "— sigsum.org/v1/tree/985ea163f5af026723561354f51f2ebcdcf2af809ce254ccfb64aa9aadd80f90 7BKT0gO"
    "fNZ1J0So9unY3BZtm2YkPIoNYM/dce0Z2avJDs8dxN6ts9bOSwwrVrbjm6P9K3ZxpK6jJngOG6YvGGzV/lwo=\n"
).encode()

ROOT = hashlib.sha256(b"root").digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _resign_line(line: str, raw: bytes) -> str:
    """The signature line ``line`` with its bytes (key ID included) replaced by ``raw``."""
    sig = parse_signature_line(line)
    return f"— {sig.name} {_b64(raw)}\n"


# --- Keys ----------------------------------------------------------------------------------------


def test_go_keys_parse_and_match() -> None:
    signer = Signer.from_text(PETER_SKEY)
    verifier = Verifier.from_text(PETER_VKEY)
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert (verifier.name, verifier.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert signer.vkey == verifier.vkey == PETER_VKEY
    assert Verifier.from_text(ENOCH_VKEY).key_id == 0xAF0CFE78


def test_key_id_is_sha256_of_name_newline_type_and_key() -> None:
    public = base64.b64decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")[1:]
    digest = hashlib.sha256(b"PeterNeumann\n\x01" + public).digest()
    assert key_id("PeterNeumann", 0x01, public) == int.from_bytes(digest[:4], "big") == 0xC74F20A3


def test_spec_and_transparency_dev_vkeys() -> None:
    spec = Verifier.from_text(SPEC_VKEY)
    assert spec.name == "example.com/foo" and spec.key_id == 0x530D903A
    test_vkey = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6"
    assert Verifier.from_text(test_vkey).vkey == test_vkey
    remora = CosignatureVerifier.from_text(REMORA_VKEY)
    assert (remora.name, remora.key_id, remora.vkey) == ("remora.n621.de", 0xDA77ADE7, REMORA_VKEY)
    assert isinstance(parse_verifier(REMORA_VKEY), CosignatureVerifier)
    assert isinstance(parse_verifier(PETER_VKEY), Verifier)


def test_go_verifier_key_manglings_are_rejected() -> None:
    """Go's TestNewVerifier: every proper substring and every one-character bump fails."""
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(NoteError):
                    Verifier.from_text(PETER_VKEY[i:j])
    for i in range(len(PETER_VKEY)):
        bumped = PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        with pytest.raises(NoteError):
            Verifier.from_text(bumped)
    # Wrong length key, and unknown algorithm, each with an adjusted key hash. (Go's wrong-length
    # vector is also non-canonical base64, which we reject first.)
    with pytest.raises(NoteError, match="not canonical base64"):
        Verifier.from_text(
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
        )
    with pytest.raises(NoteError, match="unknown signature type 0x65"):
        Verifier.from_text("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_go_signer_key_manglings_are_rejected() -> None:
    """Go's TestNewSigner."""
    for i in range(len(PETER_SKEY) + 1):
        for j in range(i + 1, len(PETER_SKEY) + 1):
            if (i, j) != (0, len(PETER_SKEY)):
                with pytest.raises(NoteError):
                    Signer.from_text(PETER_SKEY[i:j])
    for i in range(len(PETER_SKEY)):
        bumped = PETER_SKEY[:i] + chr(ord(PETER_SKEY[i]) + 1) + PETER_SKEY[i + 1 :]
        with pytest.raises(NoteError):
            Signer.from_text(bumped)


@pytest.mark.parametrize(
    ("vkey", "message"),
    [
        ("bananas.sigstore.dev+12344556", "must have the form"),
        ("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!", "not valid base64"),
        ("rekor.sigstore.dev+12345678+AwEB", "unknown signature type 0x03"),
        ("rekor.sigstore.dev+NOT_A_NUMBER+" + PETER_VKEY.split("+")[2], "8 hexadecimal digits"),
        ("PeterNeumann+00000000+" + PETER_VKEY.split("+")[2], "does not match the key"),
        ("PeterNeumann+0xc74f20+" + PETER_VKEY.split("+")[2], "8 hexadecimal digits"),
        ("PeterNeumann+c74f20a3+", "key material is empty"),
        ("Peter Neumann+c74f20a3+" + PETER_VKEY.split("+")[2], "white space"),
        ("+c74f20a3+" + PETER_VKEY.split("+")[2], "key name is empty"),
        (REMORA_VKEY, "is a cosignature/v1 key"),
    ],
)
def test_malformed_verifier_keys(vkey: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        Verifier.from_text(vkey)


def test_hex_key_id_is_case_insensitive_as_in_go() -> None:
    upper = PETER_VKEY.replace("c74f20a3", "C74F20A3")
    assert Verifier.from_text(upper).vkey == PETER_VKEY


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("a+b", "contains '\\+'"),
        ("a b", "white space"),
        ("a\tb", "white space"),
        ("a\u00a0b", "white space"),
        ("a\u3000b", "white space"),
        ("a\u2028b", "white space"),
        ("a\x01b", "control character"),
        ("a\ud800b", "not valid UTF-8"),
    ],
)
def test_invalid_names_are_rejected(name: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        generate_key(name)
    with pytest.raises(NoteError, match=message):
        generate_witness_key(name)


def test_generated_keys_round_trip() -> None:
    skey, vkey = generate_key("example.com/log")
    signer = Signer.from_text(skey)
    verifier = Verifier.from_text(vkey)
    assert signer.vkey == verifier.vkey == vkey
    assert signer.key_id == verifier.key_id
    assert base64.b64decode(vkey.split("+", 2)[2])[0] == 0x01
    assert base64.b64decode(skey.split("+", 4)[4])[0] == 0x01
    assert "PRIVATE" not in repr(signer) and skey.split("+", 4)[4] not in repr(signer)


def test_generated_witness_keys_use_type_4() -> None:
    skey, vkey = generate_witness_key("witness.example/w1")
    signer = CosignatureSigner.from_text(skey)
    verifier = CosignatureVerifier.from_text(vkey)
    assert signer.vkey == verifier.vkey == vkey
    raw = base64.b64decode(vkey.split("+", 2)[2])
    assert raw[0] == 0x04
    assert verifier.key_id == key_id("witness.example/w1", 0x04, raw[1:])
    assert verifier.key_id != key_id("witness.example/w1", 0x01, raw[1:])
    assert skey.startswith("PRIVATE+KEY+witness.example/w1+")
    assert base64.b64decode(skey.split("+", 4)[4])[0] == 0x04


def test_key_types_are_not_interchangeable() -> None:
    log_skey, log_vkey = generate_key("example.com/log")
    w_skey, w_vkey = generate_witness_key("example.com/w")
    with pytest.raises(NoteError, match="is an Ed25519 note key"):
        CosignatureSigner.from_text(log_skey)
    with pytest.raises(NoteError, match="is an Ed25519 note key"):
        CosignatureVerifier.from_text(log_vkey)
    with pytest.raises(NoteError, match="is a cosignature/v1 key"):
        Signer.from_text(w_skey)
    with pytest.raises(NoteError, match="is a cosignature/v1 key"):
        Verifier.from_text(w_vkey)


def test_non_string_keys_raise_note_error() -> None:
    with pytest.raises(NoteError):
        Verifier.from_text(b"PeterNeumann+c74f20a3+x")  # type: ignore[arg-type]
    with pytest.raises(NoteError):
        Signer.from_text(None)  # type: ignore[arg-type]


# --- Signed notes --------------------------------------------------------------------------------


def test_go_sign_vector() -> None:
    """Go's TestSign: Ed25519 is deterministic, so the output matches byte for byte."""
    assert sign_note(GO_TEXT, Signer.from_text(PETER_SKEY)) == GO_TEXT + "\n" + PETER_SIG


def test_go_open_vectors() -> None:
    """Go's TestOpen: one signature verified and one not; then both verified."""
    peter, enoch = Verifier.from_text(PETER_VKEY), Verifier.from_text(ENOCH_VKEY)
    msg = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG

    opened = open_note(msg, [peter])
    assert opened.text == GO_TEXT
    assert opened.verified == [("PeterNeumann", 0xC74F20A3)]
    assert opened.unverified == [ENOCH_SIG]
    assert opened.cosignatures == []

    opened = open_note(msg, [peter, enoch])
    assert opened.verified == [("PeterNeumann", 0xC74F20A3), ("EnochRoot", 0xAF0CFE78)]
    assert opened.unverified == []

    # A single verifier may be passed without a list.
    assert open_note(msg, peter).verified == [("PeterNeumann", 0xC74F20A3)]


def test_go_open_without_known_keys() -> None:
    msg = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    with pytest.raises(UnverifiedNoteError, match="note has no verifiable signatures") as info:
        open_note(msg, [])
    assert info.value.note.verified == []
    assert info.value.note.unverified == [PETER_SIG, ENOCH_SIG]
    assert isinstance(info.value, NoteError)


def test_go_open_duplicates() -> None:
    """Go's TestOpen: repeated lines reported once, distinct unknown lines all kept."""
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    msg = GO_TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_abcd
    opened = open_note(msg, [Verifier.from_text(PETER_VKEY)])
    assert opened.verified == [("PeterNeumann", 0xC74F20A3)]
    assert opened.unverified == [ENOCH_SIG, enoch_abcd]


def test_go_open_ambiguous_and_duplicated_verifiers() -> None:
    peter, enoch = Verifier.from_text(PETER_VKEY), Verifier.from_text(ENOCH_VKEY)
    # The same key twice is harmless (Go calls it ambiguous; nothing is ambiguous about it).
    assert open_note(GO_TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch]).verified == [
        ("EnochRoot", 0xAF0CFE78)
    ]
    # Two different keys sharing the name and key ID that a signature uses are ambiguous.
    impostor = Verifier.from_text(ENOCH_VKEY)
    impostor.key_id = 0xC74F20A3
    impostor.name = "PeterNeumann"
    with pytest.raises(NoteError, match="ambiguous key PeterNeumann\\+c74f20a3"):
        open_note(GO_TEXT + "\n" + PETER_SIG, [peter, impostor])
    # ... but only if a signature uses them (Go's "unused duplicated verifier").
    assert open_note(GO_TEXT + "\n" + ENOCH_SIG, [peter, impostor, enoch]).verified


def test_go_open_invalid_signature() -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(GO_TEXT + "\n" + bad, [Verifier.from_text(PETER_VKEY)])


def test_bad_duplicate_of_a_verified_signature_is_rejected() -> None:
    """Unlike Go, which checks only the first, every signature of a known key must verify."""
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(GO_TEXT + "\n" + PETER_SIG + bad, [Verifier.from_text(PETER_VKEY)])


@pytest.mark.parametrize("count", [MAX_SIGNATURES + 1, 150])
def test_go_open_too_many_signatures(count: int) -> None:
    msg = GO_TEXT + "\n" + PETER_SIG * count
    for verifiers in ([Verifier.from_text(PETER_VKEY)], []):
        with pytest.raises(NoteError, match="more than the limit of 100"):
            open_note(msg, verifiers)


def test_exactly_max_signatures_is_accepted() -> None:
    msg = GO_TEXT + "\n" + PETER_SIG * MAX_SIGNATURES
    assert open_note(msg, [Verifier.from_text(PETER_VKEY)]).verified


BAD_NOTES: list[tuple[str, str | bytes, str]] = [
    # Go's TestOpen badMsgs
    ("text only", GO_TEXT, "no blank line"),
    ("blank line, no signatures", GO_TEXT + "\n", "no signature lines"),
    ("no final newline", GO_TEXT + "\n" + PETER_SIG[:-1], "does not end in a newline"),
    ("control character", "\x01" + GO_TEXT + "\n" + PETER_SIG, "control character U\\+0001"),
    ("invalid UTF-8", b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode(), "not valid UTF-8"),
    (
        "name with a space",
        GO_TEXT + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
        "fqdngotpRZb6KE6RyyBwJnAM=",
        "malformed note",
    ),
    ("unexpected line", GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "em dash"),
    # more
    ("hyphen", GO_TEXT + "\n" + PETER_SIG.replace("—", "-"), "em dash"),
    ("en dash", GO_TEXT + "\n" + PETER_SIG.replace("—", "–"), "em dash"),
    ("no space after dash", GO_TEXT + "\n" + PETER_SIG.replace("— ", "—"), "em dash"),
    ("no signature", GO_TEXT + "\n— PeterNeumann \n", "empty signature"),
    ("no space before signature", GO_TEXT + "\n— PeterNeumann\n", "no space"),
    ("short signature", GO_TEXT + "\n— PeterNeumann AAAAAA==\n", "4 bytes"),
    ("bad base64", GO_TEXT + "\n— PeterNeumann AAAA*AAA\n", "not valid base64"),
    ("non-canonical base64", GO_TEXT + "\n— PeterNeumann AAAAAAB=\n", "not canonical"),
    ("name with plus", GO_TEXT + "\n— Peter+Neumann AAAAAAA=\n", "contains '\\+'"),
    ("carriage return", GO_TEXT.replace("\n", "\r\n") + "\n" + PETER_SIG, "U\\+000D"),
    ("tab in text", "a\tb\n\n" + PETER_SIG, "U\\+0009"),
    ("lone surrogate", "\ud800\n\n" + PETER_SIG, "not valid UTF-8"),
    ("empty", "", "no blank line"),
    ("two blank lines at the end", GO_TEXT + "\n" + PETER_SIG + "\n", "no signature lines"),
]


@pytest.mark.parametrize(("case", "msg", "message"), BAD_NOTES, ids=[c[0] for c in BAD_NOTES])
def test_malformed_notes(case: str, msg: str | bytes, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        open_note(msg, [Verifier.from_text(PETER_VKEY)])


def test_open_accepts_bytes() -> None:
    msg = (GO_TEXT + "\n" + PETER_SIG).encode()
    assert open_note(msg, [Verifier.from_text(PETER_VKEY)]).text == GO_TEXT


def test_spec_signed_note_example() -> None:
    opened = open_note(SPEC_NOTE, [Verifier.from_text(SPEC_VKEY)])
    assert opened.text == "This is an example message.\n"
    assert opened.verified == [("example.com/foo", 0x530D903A)]


def test_tampered_text_fails() -> None:
    peter = Verifier.from_text(PETER_VKEY)
    tampered = GO_TEXT.replace("cryptography", "cryptographY") + "\n" + PETER_SIG
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(tampered, [peter])


def test_tampered_signature_fails() -> None:
    peter = Verifier.from_text(PETER_VKEY)
    raw = bytearray(base64.b64decode(PETER_SIG.split(" ")[2]))
    for index in (4, 30, len(raw) - 1):
        bad = bytearray(raw)
        bad[index] ^= 0x01
        with pytest.raises(NoteError, match="invalid signature"):
            open_note(GO_TEXT + "\n" + _resign_line(PETER_SIG, bytes(bad)), [peter])
    # A changed key ID makes it another (unknown) key's signature: kept, not verified.
    bad = bytearray(raw)
    bad[0] ^= 0x01
    with pytest.raises(UnverifiedNoteError):
        open_note(GO_TEXT + "\n" + _resign_line(PETER_SIG, bytes(bad)), [peter])


def test_unknown_key_with_known_name_is_kept() -> None:
    """The spec: ignore signatures of unknown keys even if they share a name with a known key."""
    other_skey, _ = generate_key("PeterNeumann")
    other = Signer.from_text(other_skey)
    msg = sign_note(GO_TEXT, Signer.from_text(PETER_SKEY), other)
    opened = open_note(msg, [Verifier.from_text(PETER_VKEY)])
    assert opened.verified == [("PeterNeumann", 0xC74F20A3)]
    assert len(opened.unverified) == 1 and opened.unverified[0].startswith("— PeterNeumann ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no newline", "must end in a newline"),
        ("", "must end in a newline"),
        ("a\rb\n", "U\\+000D"),
        ("\ud800\n", "not valid UTF-8"),
    ],
)
def test_sign_rejects_bad_text(text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        sign_note(text, Signer.from_text(PETER_SKEY))


def test_sign_needs_a_signer() -> None:
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note(GO_TEXT)


def test_text_with_empty_lines_round_trips() -> None:
    """The text may hold empty lines, even a final one: signatures follow the *last* one."""
    signer = Signer.from_text(PETER_SKEY)
    for text in ("\n", "a\n\nb\n", "Note\n\n", "a\n\n— PeterNeumann AAAAAAA=\n"):
        opened = open_note(sign_note(text, signer), [signer.verifier()])
        assert opened.text == text


names = st.text(
    alphabet=st.characters(
        exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="+"
    ),
    min_size=1,
    max_size=30,
)
texts = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"], exclude_characters=[chr(i) for i in range(32) if i != 10]
    ),
    max_size=200,
).map(lambda s: s + "\n")


@settings(max_examples=50, deadline=None)
@given(name=names, text=texts)
def test_sign_open_round_trip(name: str, text: str) -> None:
    skey, vkey = generate_key(name)
    signer = Signer.from_text(skey)
    note = sign_note(text, signer)
    opened = open_note(note, [Verifier.from_text(vkey)])
    assert opened.text == text
    assert opened.verified == [(name, signer.key_id)]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_open_raises_only_note_error(data: str | bytes) -> None:
    try:
        open_note(data, [Verifier.from_text(PETER_VKEY)])
    except NoteError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_key_parsers_raise_only_note_error(text: str) -> None:
    for parse in (Verifier.from_text, Signer.from_text, parse_verifier):
        try:
            parse(text)
        except NoteError:
            pass


# --- Checkpoints ---------------------------------------------------------------------------------


def test_checkpoint_body_and_parse() -> None:
    checkpoint = Checkpoint(origin="example.com/log", size=5, root=ROOT)
    body = checkpoint.body()
    assert body == f"example.com/log\n5\n{_b64(ROOT)}\n"
    assert parse_checkpoint(body) == checkpoint
    with_ext = Checkpoint("example.com/log", 0, ROOT, ("ext one", "ext two"))
    assert with_ext.body().endswith("\next one\next two\n")
    assert parse_checkpoint(with_ext.body()) == with_ext


def test_spec_checkpoint_parses() -> None:
    checkpoint = parse_checkpoint(SOFA_CHECKPOINT)
    assert checkpoint.origin == "example.com/behind-the-sofa"
    assert checkpoint.size == 20852163
    assert checkpoint.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.body() == SOFA_CHECKPOINT


R = _b64(ROOT)
BAD_CHECKPOINTS = [
    ("empty", "", "end in a newline"),
    ("no final newline", f"o\n1\n{R}", "end in a newline"),
    ("two lines", "o\n1\n", "2 lines"),
    ("empty origin", f"\n1\n{R}\n", "line 1 is empty"),
    ("empty size", f"o\n\n{R}\n", "line 2 is empty"),
    ("leading zero", f"o\n01\n{R}\n", "without leading zeros"),
    ("minus", f"o\n-1\n{R}\n", "without leading zeros"),
    ("plus", f"o\n+1\n{R}\n", "without leading zeros"),
    ("space", f"o\n 1\n{R}\n", "without leading zeros"),
    ("underscore", f"o\n1_000\n{R}\n", "without leading zeros"),
    ("fullwidth digit", f"o\n\uff11\n{R}\n", "without leading zeros"),
    ("hex", f"o\n0x1\n{R}\n", "without leading zeros"),
    ("too large", f"o\n{2**63}\n{R}\n", "too large"),
    ("root not base64", "o\n1\nnot base64!\n", "not valid base64"),
    ("root short", f"o\n1\n{_b64(ROOT[:31])}\n", "31 bytes"),
    ("root unpadded", f"o\n1\n{R.rstrip('=')}\n", "not valid base64"),
    ("root non-canonical", f"o\n1\n{R[:-2]}{chr(ord(R[-2]) + 1)}=\n", "not canonical"),
    ("empty extension", f"o\n1\n{R}\n\n", "line 4 is empty"),
    ("empty middle extension", f"o\n1\n{R}\na\n\nb\n", "line 5 is empty"),
    ("control character", f"o\x00\n1\n{R}\n", "control character"),
    ("carriage return", f"o\r\n1\r\n{R}\r\n", "control character"),
]


@pytest.mark.parametrize(
    ("case", "text", "message"), BAD_CHECKPOINTS, ids=[c[0] for c in BAD_CHECKPOINTS]
)
def test_malformed_checkpoints(case: str, text: str, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_checkpoint(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origin": "", "size": 1, "root": ROOT}, "non-empty"),
        ({"origin": "a\nb", "size": 1, "root": ROOT}, "newline"),
        ({"origin": "o", "size": -1, "root": ROOT}, "out of range"),
        ({"origin": "o", "size": 2**63, "root": ROOT}, "out of range"),
        ({"origin": "o", "size": True, "root": ROOT}, "must be an int"),
        ({"origin": "o", "size": 1, "root": ROOT[:31]}, "32 bytes, not 31"),
        ({"origin": "o", "size": 1, "root": _b64(ROOT)}, "32 bytes, not str"),
        ({"origin": "o", "size": 1, "root": ROOT, "extensions": ("",)}, "non-empty"),
        ({"origin": "o", "size": 1, "root": ROOT, "extensions": ("a\nb",)}, "newline"),
    ],
)
def test_invalid_checkpoints_cannot_be_built(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(NoteError, match=message):
        Checkpoint(**kwargs)  # type: ignore[arg-type]


line_text = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"], exclude_characters=[chr(i) for i in range(32)]
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=100, deadline=None)
@given(
    origin=line_text,
    size=st.integers(min_value=0, max_value=2**63 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(line_text, max_size=3).map(tuple),
)
def test_checkpoint_round_trip(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    checkpoint = Checkpoint(origin, size, root, extensions)
    assert parse_checkpoint(checkpoint.body()) == checkpoint


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_checkpoint_raises_only_note_error(text: str) -> None:
    try:
        parse_checkpoint(text)
    except NoteError:
        pass


def test_open_checkpoint_requires_the_log_signature() -> None:
    log_skey, log_vkey = generate_key("example.com/log")
    w_skey, w_vkey = generate_witness_key("example.com/w")
    body = Checkpoint("example.com/log", 3, ROOT).body()
    witness = CosignatureSigner.from_text(w_skey)
    only_witness = body + "\n" + witness.cosign(body, 1_700_000_000)
    log_v, w_v = Verifier.from_text(log_vkey), CosignatureVerifier.from_text(w_vkey)
    assert open_note(only_witness, [log_v, w_v]).verified == [("example.com/w", w_v.key_id)]
    with pytest.raises(NoteError, match="not signed by the log key"):
        open_checkpoint(only_witness, log_v, [w_v])
    both = sign_note(body, Signer.from_text(log_skey)) + witness.cosign(body, 1_700_000_000)
    checkpoint, opened = open_checkpoint(both, log_v, [w_v])
    assert checkpoint == Checkpoint("example.com/log", 3, ROOT)
    assert opened.cosignatures == [("example.com/w", w_v.key_id, 1_700_000_000)]
    not_a_checkpoint = sign_note("hello\n", Signer.from_text(log_skey))
    with pytest.raises(NoteError, match="1 lines"):
        open_checkpoint(not_a_checkpoint, log_v)


# --- Cosignatures --------------------------------------------------------------------------------


def test_real_cosigned_checkpoint() -> None:
    """A production checkpoint: the log's Ed25519 signature and remora.n621.de's cosignature
    verify; the RFC 6962 signature and three other witnesses are kept unverified."""
    log_v = Verifier.from_text(ARCHE_LOG_VKEY)
    remora = CosignatureVerifier.from_text(REMORA_VKEY)
    opened = open_note(ARCHE_NOTE, [log_v, remora])
    assert opened.text == ARCHE_BODY
    assert opened.verified == [
        ("arche2025h1.staging.ct.transparency.dev", 0xBA2F06C0),
        ("remora.n621.de", 0xDA77ADE7),
    ]
    assert opened.cosignatures == [("remora.n621.de", 0xDA77ADE7, 1779573024)]
    assert opened.unverified == [ARCHE_SIGS[0], *ARCHE_SIGS[2:4], ARCHE_SIGS[5]]
    checkpoint, _ = open_checkpoint(ARCHE_NOTE, log_v, [remora])
    assert checkpoint.origin == "arche2025h1.staging.ct.transparency.dev"
    assert checkpoint.size == 1432088532
    # The unverified witnesses' timestamps can be read (not trusted).
    assert cosignature_timestamp(ARCHE_SIGS[3]) == 1779573024


def test_real_cosignature_fails_on_changed_checkpoint() -> None:
    changed = ARCHE_NOTE.replace("1432088532", "1432088533")
    remora = CosignatureVerifier.from_text(REMORA_VKEY)
    with pytest.raises(NoteError, match="invalid signature for key remora.n621.de\\+da77ade7"):
        open_note(changed, [remora])
    # A changed timestamp (signed over) breaks it too.
    raw = bytearray(parse_signature_line(ARCHE_SIGS[4]).raw)
    raw[7] ^= 1
    line = _resign_line(ARCHE_SIGS[4], (0xDA77ADE7).to_bytes(4, "big") + bytes(raw))
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(ARCHE_BODY + "\n" + line, [remora])


def test_spec_cosignature_example_timestamp() -> None:
    """tlog-cosignature's example: its timestamp is the one in the spec's example message."""
    sig = parse_signature_line(SOFA_COSIG)
    assert (sig.name, sig.key_id) == ("witness.example.com/w1", 0x8D66CF3F)
    assert cosignature_timestamp(sig) == 1679315147
    with pytest.raises(UnverifiedNoteError) as info:
        open_note(SOFA_CHECKPOINT + "\n" + SOFA_LOG_SIG + SOFA_COSIG, [])
    assert info.value.note.unverified == [SOFA_LOG_SIG, SOFA_COSIG]


@pytest.mark.parametrize(
    ("b64", "expected"),
    [
        (
            "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcF"
            "iEBYJXORmnFBOBA==",
            1727964367,
        ),
        (
            "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4x"
            "kNQY=",
            None,
        ),
        ("5%/$!\n 2", None),
    ],
)
def test_transparency_dev_timestamp_vectors(b64: str, expected: int | None) -> None:
    line = f"— w {b64}"
    if expected is None:
        with pytest.raises(NoteError):
            cosignature_timestamp(line)
    else:
        assert cosignature_timestamp(line) == expected


def test_cosignature_round_trip() -> None:
    log_skey, log_vkey = generate_key("example.com/log")
    w_skey, w_vkey = generate_witness_key("witness.example/w1")
    log, witness = Signer.from_text(log_skey), CosignatureSigner.from_text(w_skey)
    body = Checkpoint("example.com/log", 42, ROOT, ("extension",)).body()

    line = witness.cosign(body, 1_700_000_000)
    assert line.startswith("— witness.example/w1 ") and line.endswith("\n")
    raw = base64.b64decode(line.split(" ")[2])
    assert len(raw) == 4 + 8 + 64
    assert int.from_bytes(raw[:4], "big") == witness.key_id
    assert int.from_bytes(raw[4:12], "big") == 1_700_000_000

    # The signed message is exactly the spec's: header, time line, then the checkpoint body.
    public = CosignatureVerifier.from_text(w_vkey)._public
    public.verify(raw[12:], b"cosignature/v1\ntime 1700000000\n" + body.encode())

    note = sign_note(body, log) + line
    opened = open_note(note, [Verifier.from_text(log_vkey), CosignatureVerifier.from_text(w_vkey)])
    assert opened.text == body
    assert opened.verified == [
        ("example.com/log", log.key_id),
        ("witness.example/w1", witness.key_id),
    ]
    assert opened.cosignatures == [("witness.example/w1", witness.key_id, 1_700_000_000)]
    assert opened.unverified == []

    # Without the witness's key, its line is kept unverified.
    opened = open_note(note, [Verifier.from_text(log_vkey)])
    assert opened.unverified == [line] and opened.cosignatures == []

    # Tampering with the extension line breaks both signatures.
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note.replace("extension", "extensioN"), [CosignatureVerifier.from_text(w_vkey)])


def test_cosigner_signs_through_sign_note_at_the_current_time() -> None:
    w_skey, w_vkey = generate_witness_key("witness.example/w1")
    body = Checkpoint("example.com/log", 1, ROOT).body()
    before = int(time.time())
    note = sign_note(body, CosignatureSigner.from_text(w_skey))
    after = int(time.time())
    [(name, _kid, ts)] = open_note(note, [CosignatureVerifier.from_text(w_vkey)]).cosignatures
    assert name == "witness.example/w1" and before <= ts <= after


def test_wrong_witness_key_is_rejected() -> None:
    body = Checkpoint("example.com/log", 7, ROOT).body()
    w1_skey, w1_vkey = generate_witness_key("witness.example/w1")
    w2_skey, w2_vkey = generate_witness_key("witness.example/w1")
    w1 = CosignatureVerifier.from_text(w1_vkey)
    line2 = CosignatureSigner.from_text(w2_skey).cosign(body, 1_700_000_000)

    # Another key of the same name: a different key ID, so an unknown key's line, kept.
    with pytest.raises(UnverifiedNoteError):
        open_note(body + "\n" + line2, [w1])

    # w2's signature presented under w1's name and key ID: rejected.
    raw = parse_signature_line(line2).raw
    forged = _resign_line(line2, w1.key_id.to_bytes(4, "big") + raw)
    with pytest.raises(NoteError, match="invalid signature for key witness.example/w1"):
        open_note(body + "\n" + forged, [w1])


def test_plain_and_cosignature_keys_do_not_cross_verify() -> None:
    """The same Ed25519 key as a note key (0x01) and a witness key (0x04) has two key IDs, and a
    plain signature presented under the witness key ID does not verify as a cosignature."""
    private = Ed25519PrivateKey.generate()
    plain = Signer("example.com/k", private)
    cosigner = CosignatureSigner("example.com/k", private)
    assert plain.key_id != cosigner.key_id
    body = Checkpoint("example.com/log", 7, ROOT).body()
    plain_note = sign_note(body, plain)
    plain_line = plain_note.split("\n\n")[1]
    raw = parse_signature_line(plain_line).raw
    forged = body + "\n" + _resign_line(plain_line, cosigner.key_id.to_bytes(4, "big") + raw)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(forged, [cosigner.verifier()])
    # And a cosignature is not a plain signature either.
    line = cosigner.cosign(body, 5)
    raw = parse_signature_line(line).raw
    forged = body + "\n" + _resign_line(line, plain.key_id.to_bytes(4, "big") + raw)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(forged, [plain.verifier()])


def test_cosignature_timestamp_above_2_63_is_rejected() -> None:
    private = Ed25519PrivateKey.generate()
    cosigner = CosignatureSigner("witness.example/w1", private)
    body = Checkpoint("example.com/log", 7, ROOT).body()
    ts = 2**63
    sig = private.sign(b"cosignature/v1\ntime %d\n" % ts + body.encode())
    raw = cosigner.key_id.to_bytes(4, "big") + ts.to_bytes(8, "big") + sig
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(body + "\n— witness.example/w1 " + _b64(raw) + "\n", [cosigner.verifier()])


@pytest.mark.parametrize(
    ("body", "timestamp", "message"),
    [
        ("hello\n", 1, "lines"),
        (f"o\n01\n{R}\n", 1, "leading zeros"),
        (f"o\n1\n{R}\n", -1, "out of range"),
        (f"o\n1\n{R}\n", 2**63, "out of range"),
        (f"o\n1\n{R}\n", True, "must be an int"),
    ],
)
def test_cosign_rejects_bad_input(body: str, timestamp: int, message: str) -> None:
    skey, _ = generate_witness_key("witness.example/w1")
    with pytest.raises(NoteError, match=message):
        CosignatureSigner.from_text(skey).cosign(body, timestamp)


# --- tlog-witness add-checkpoint -----------------------------------------------------------------


def test_spec_add_checkpoint_body() -> None:
    request = parse_add_checkpoint(WITNESS_SPEC_BODY)
    assert request.old_size == 20852014
    assert request.proof == [base64.b64decode(h) for h in WITNESS_SPEC_PROOF]
    assert request.note == WITNESS_SPEC_NOTE
    assert request.checkpoint.size == 20852163
    assert format_add_checkpoint(request.old_size, request.proof, request.note) == WITNESS_SPEC_BODY


def test_torchwood_add_checkpoint_body() -> None:
    request = parse_add_checkpoint(TORCHWOOD_BODY)
    assert (request.old_size, request.proof) == (0, [])
    assert request.checkpoint.size == 1
    assert format_add_checkpoint(0, [], request.note) == TORCHWOOD_BODY


def test_add_checkpoint_with_max_proof_lines() -> None:
    skey, _ = generate_key("example.com/log")
    note = sign_note(Checkpoint("example.com/log", 2**40, ROOT).body(), Signer.from_text(skey))
    proof = [hashlib.sha256(bytes([i])).digest() for i in range(MAX_PROOF_LINES)]
    body = format_add_checkpoint(5, proof, note)
    assert parse_add_checkpoint(body) == AddCheckpoint(5, proof, note)


_SK, _ = generate_key("example.com/log")
NOTE_10 = sign_note(Checkpoint("example.com/log", 10, ROOT).body(), Signer.from_text(_SK))
H = _b64(ROOT)

BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "no newline"),
    ("no newline", b"old 1", "no newline"),
    ("wrong keyword", ("new 1\n\n" + NOTE_10).encode(), "must start with 'old <size>'"),
    ("two spaces", ("old  1\n\n" + NOTE_10).encode(), "without leading zeros"),
    ("trailing space", ("old 1 \n\n" + NOTE_10).encode(), "without leading zeros"),
    ("leading zero", ("old 01\n\n" + NOTE_10).encode(), "without leading zeros"),
    ("negative", ("old -1\n\n" + NOTE_10).encode(), "without leading zeros"),
    ("CRLF", ("old 1\r\n\r\n" + NOTE_10).encode(), "without leading zeros"),
    ("too large", (f"old {2**63}\n\n" + NOTE_10).encode(), "too large"),
    ("bad proof base64", ("old 1\nnot base64!\n\n" + NOTE_10).encode(), "proof line 1"),
    ("short proof hash", (f"old 1\n{_b64(ROOT[:31])}\n\n" + NOTE_10).encode(), "31 bytes"),
    (
        "64 proof lines",
        ("old 1\n" + f"{H}\n" * (MAX_PROOF_LINES + 1) + "\n" + NOTE_10).encode(),
        "more than 63 proof lines",
    ),
    ("no empty line", f"old 1\n{H}\n".encode(), "no empty line"),
    ("nothing after empty line", b"old 1\n\n", "no checkpoint"),
    ("proof with old size 0", (f"old 0\n{H}\n\n" + NOTE_10).encode(), "must be empty"),
    ("old size above size", ("old 11\n\n" + NOTE_10).encode(), "exceeds the checkpoint size"),
    ("unsigned checkpoint", ("old 1\n\n" + NOTE_10.split("\n\n")[0] + "\n").encode(), "no blank"),
    ("not a checkpoint", ("old 0\n\nhello\n\n" + PETER_SIG).encode(), "1 lines"),
    ("invalid UTF-8", b"old 1\n\n\xff", "not valid UTF-8"),
    ("malformed note", ("old 1\n\n" + NOTE_10 + "junk\n").encode(), "malformed note"),
]


@pytest.mark.parametrize(("case", "body", "message"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_malformed_add_checkpoint_bodies(case: str, body: bytes, message: str) -> None:
    with pytest.raises(NoteError, match=message):
        parse_add_checkpoint(body)


@pytest.mark.parametrize(
    ("old_size", "proof", "note", "message"),
    [
        (-1, [], NOTE_10, "out of range"),
        (11, [], NOTE_10, "exceeds the checkpoint size"),
        (0, [ROOT], NOTE_10, "must be empty"),
        (1, [ROOT[:31]], NOTE_10, "must be 32 bytes"),
        (1, [ROOT] * (MAX_PROOF_LINES + 1), NOTE_10, "more than 63"),
        (1, [], "not a note\n", "no blank line"),
        (1, [], NOTE_10.replace("10\n", "010\n", 1), "leading zeros"),
    ],
)
def test_format_add_checkpoint_rejects_bad_input(
    old_size: int, proof: list[bytes], note: str, message: str
) -> None:
    with pytest.raises(NoteError, match=message):
        format_add_checkpoint(old_size, proof, note)


@settings(max_examples=50, deadline=None)
@given(
    size=st.integers(min_value=0, max_value=2**63 - 1),
    data=st.data(),
)
def test_add_checkpoint_round_trip(size: int, data: st.DataObject) -> None:
    old_size = data.draw(st.integers(min_value=0, max_value=size))
    proof = (
        []
        if old_size == 0
        else data.draw(st.lists(st.binary(min_size=32, max_size=32), max_size=MAX_PROOF_LINES))
    )
    note = sign_note(Checkpoint("example.com/log", size, ROOT).body(), Signer.from_text(_SK))
    body = format_add_checkpoint(old_size, proof, note)
    assert parse_add_checkpoint(body) == AddCheckpoint(old_size, proof, note)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_parse_add_checkpoint_raises_only_note_error(body: bytes) -> None:
    try:
        parse_add_checkpoint(b"old 1\n" + body)
    except NoteError:
        pass
