"""Room codes that are easy to read aloud, and the lecturer's secret token.

Codes come from `secrets` (random, never sequential) over an alphabet without look-alikes (no 0/O,
1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V). Only a hash of the token is stored; it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ACDEFHJKMNPRTWXY3479"
CODE_LENGTH = 5  # 20**5 = 3.2 million codes
TOKEN_BYTES = 24


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a student typed, as stored: upper case, no spaces or dashes."""
    return "".join(text.split()).replace("-", "").upper()


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(character in CODE_ALPHABET for character in text)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    """Constant-time comparison of the token's hash with the stored one (a missing token never matches)."""
    return token is not None and hmac.compare_digest(hash_token(token), stored_hash)


def client_key(client_id: str | None, address: str | None) -> str:
    """Who is sending, for the per-client rate: the browser's random client id when it sends one
    (students behind one lecture-hall NAT share an address), else the address; hashed, never stored raw."""
    source = f"id:{client_id}" if client_id else f"ip:{address or 'unknown'}"
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:32]
