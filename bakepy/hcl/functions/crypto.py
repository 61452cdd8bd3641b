"""Hash, UUID and RSA functions of the bake stdlib."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

from bakepy.errors import HclError
from bakepy.hcl.values import to_int, to_str

_UUID_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.DOTALL)


def _hasher(algorithm: str) -> Callable[[Any], str]:
    def digest(text: Any) -> str:
        return hashlib.new(algorithm, to_str(text, "str").encode("utf-8")).hexdigest()

    digest.__doc__ = f"Hex {algorithm.upper()} digest of the UTF-8 bytes of a string."
    digest.__name__ = algorithm
    return digest


def uuidv4() -> str:
    """A random version-4 UUID."""
    return str(uuid.uuid4())


def uuidv5(namespace: Any, name: Any) -> str:
    """A name-based version-5 UUID; namespace is dns, url, oid, x500 or a UUID."""
    space = to_str(namespace, "namespace")
    base = _UUID_NAMESPACES.get(space)
    if base is None:
        try:
            base = uuid.UUID(space)
        except ValueError:
            raise HclError(f"uuidv5() doesn't support namespace {space}") from None
    return str(uuid.uuid5(base, to_str(name, "name")))


def bcrypt(text: Any, *cost: Any) -> str:
    """Blowfish-hash a password as Go's x/crypto/bcrypt does (``$2a$``, cost 10 by default;
    a cost under 4 means 10, over 31 is an error, so is a password over 72 bytes)."""
    import bcrypt as blowfish  # imported here: only files that call bcrypt() need it

    if len(cost) > 1:
        raise HclError("bcrypt() takes no more than two arguments.")
    rounds = to_int(cost[0], "cost") if cost else 10
    if rounds > 31:
        raise HclError(
            "error occured generating password crypto/bcrypt: "
            f"cost {rounds} is outside allowed range (4,31)"
        )
    password = to_str(text, "str").encode("utf-8")
    if len(password) > 72:
        raise HclError("error occured generating password bcrypt: password length exceeds 72 bytes")
    salt = blowfish.gensalt(rounds=rounds if rounds >= 4 else 10, prefix=b"2a")
    return blowfish.hashpw(password, salt).decode("ascii")


# -- RSA (PKCS #1 v1.5) decryption --------------------------------------------------------


def _der_element(data: bytes, pos: int) -> tuple[int, int, int]:
    """Read one DER TLV at `pos`: (tag, content start, content end)."""
    if pos + 2 > len(data):
        raise HclError("invalid private key: truncated DER data")
    tag = data[pos]
    length = data[pos + 1]
    start = pos + 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[start : start + size], "big")
        start += size
    end = start + length
    if end > len(data):
        raise HclError("invalid private key: truncated DER data")
    return tag, start, end


def _der_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    children = []
    pos = start
    while pos < end:
        element = _der_element(data, pos)
        children.append(element)
        pos = element[2]
    return children


def _rsa_key(pem: str) -> tuple[int, int]:
    """Parse a PKCS #1 PEM private key into (modulus, private exponent). buildx 0.13 reads
    the first PEM block with Go's x509.ParsePKCS1PrivateKey whatever its label, so a PKCS #8
    key (``BEGIN PRIVATE KEY``) is refused with Go's words."""
    match = _PEM.search(pem)
    if match is None:
        raise HclError("invalid private key: no PEM block found")
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        raise HclError("invalid private key: bad PEM encoding") from None
    tag, start, end = _der_element(der, 0)
    children = _der_children(der, start, end)
    if len(children) >= 3 and children[1][0] == 0x30 and children[2][0] == 0x04:
        raise HclError(
            "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key "
            "format)"
        )
    if tag != 0x30 or len(children) < 4 or any(child[0] != 0x02 for child in children[:4]):
        raise HclError("invalid private key: not an RSA private key")
    numbers = [int.from_bytes(der[s:e], "big") for _, s, e in children[:4]]
    return numbers[1], numbers[3]


def rsadecrypt(ciphertext: Any, private_key: Any) -> str:
    """Decrypt base64 RSA (PKCS #1 v1.5) ciphertext with a PEM private key."""
    try:
        data = base64.b64decode(to_str(ciphertext, "ciphertext"), validate=True)
    except (binascii.Error, ValueError):
        raise HclError("failed to decode input: cipher text must be base64-encoded") from None
    modulus, exponent = _rsa_key(to_str(private_key, "privatekey"))
    size = (modulus.bit_length() + 7) // 8
    if len(data) != size:
        raise HclError("failed to decrypt: ciphertext length does not match the key size")
    block = pow(int.from_bytes(data, "big"), exponent, modulus).to_bytes(size, "big")
    separator = block.find(b"\x00", 2)
    if block[:2] != b"\x00\x02" or separator < 10:
        raise HclError("failed to decrypt: decryption error")
    try:
        return block[separator + 1 :].decode("utf-8")
    except UnicodeDecodeError:
        raise HclError("failed to decrypt: the plaintext is not valid UTF-8") from None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "bcrypt": bcrypt,
    "md5": _hasher("md5"),
    "rsadecrypt": rsadecrypt,
    "sha1": _hasher("sha1"),
    "sha256": _hasher("sha256"),
    "sha512": _hasher("sha512"),
    "uuidv4": uuidv4,
    "uuidv5": uuidv5,
}
