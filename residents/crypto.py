"""Residents' ID numbers (身份证号) at rest: encrypted, with keyed digests for lookup and tail search.

One secret, settings.PERSONAL_DATA_KEY (from the environment, never the database or the repository), is
stretched with HKDF into three independent keys:

- an encryption key (Fernet: AES-128-CBC with HMAC-SHA256, from the `cryptography` package) for the
  number itself, `Resident.id_number_encrypted`;
- a lookup key: HMAC-SHA256 of the whole number, `Resident.id_number_hash`, carries the city-wide
  uniqueness constraint and the exact lookup (`Resident.objects.with_id_number(...)`);
- a tail key: a short HMAC of the last four characters, `Resident.id_tail`, for the 尾号 search. A plain
  tail would give the number away together with the birth date (digits 7–14) and the community (the
  region, digits 1–6); keyed, a copy of the database without the key does not.

Without the key the table holds nothing that can be turned back into a number. Rotating the key
re-encrypts every row and recomputes both digests: `manage.py rotate_personal_data_key`.
"""

import base64
import functools
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_LENGTH = 32
TAIL_DIGEST_LENGTH = 16  # hex characters (64 bits): unique enough for 11,000 possible tails


class PersonalDataKeyError(RuntimeError):
    """A stored ID number that the configured key cannot decrypt (wrong or rotated key)."""


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sws/id_number/" + purpose).derive(
        secret
    )


@dataclass(frozen=True)
class PersonalDataKey:
    fernet: Fernet
    lookup_key: bytes
    tail_key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> "PersonalDataKey":
        secret = (secret or "").strip()
        if len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"PERSONAL_DATA_KEY must be at least {MIN_SECRET_LENGTH} random characters, e.g. "
                '`python -c "import secrets; print(secrets.token_urlsafe(32))"`.'
            )
        raw = secret.encode()
        return cls(
            fernet=Fernet(base64.urlsafe_b64encode(_derive(raw, b"encrypt"))),
            lookup_key=_derive(raw, b"lookup"),
            tail_key=_derive(raw, b"tail"),
        )

    def encrypt(self, id_number: str) -> str:
        return self.fernet.encrypt(id_number.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise PersonalDataKeyError(
                "身份证号无法解密：PERSONAL_DATA_KEY 与加密时所用的密钥不一致。"
            ) from error

    def lookup_hash(self, id_number: str) -> str:
        return hmac.new(self.lookup_key, id_number.encode(), hashlib.sha256).hexdigest()

    def tail_digest(self, tail: str) -> str:
        if not tail:
            return ""
        return hmac.new(self.tail_key, tail.encode(), hashlib.sha256).hexdigest()[:TAIL_DIGEST_LENGTH]

    def columns(self, id_number: str | None) -> dict:
        """The stored columns for a (normalised) ID number, or for none."""
        if not id_number:
            return {"id_number_encrypted": "", "id_number_hash": None, "id_tail": ""}
        return {
            "id_number_encrypted": self.encrypt(id_number),
            "id_number_hash": self.lookup_hash(id_number),
            "id_tail": self.tail_digest(id_number[-4:]),
        }


@functools.lru_cache(maxsize=4)
def _key_for(secret: str) -> PersonalDataKey:
    return PersonalDataKey.from_secret(secret)


def current_key() -> PersonalDataKey:
    """The key from settings (derived once per secret; settings overrides in tests take effect)."""
    return _key_for(getattr(settings, "PERSONAL_DATA_KEY", "") or "")


def encrypt(id_number: str) -> str:
    return current_key().encrypt(id_number)


def decrypt(token: str) -> str:
    return current_key().decrypt(token)


def lookup_hash(id_number: str) -> str:
    return current_key().lookup_hash(id_number)


def tail_digest(tail: str) -> str:
    return current_key().tail_digest(tail)


def id_number_columns(id_number: str | None) -> dict:
    return current_key().columns(id_number)
