"""Encoding and hashing functions."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from bakepy.errors import HclError
from bakepy.hcl.evaluator import evaluate
from bakepy.hcl.scope import Scope


def call(text: str, **variables: Any) -> Any:
    return evaluate(text, Scope(variables))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('jsonencode({"hello" = "world"})', '{"hello":"world"}'),
        ("jsonencode({b = 1, a = [true, null, 2.5]})", '{"a":[true,null,2.5],"b":1}'),
        ('jsonencode("<a&b>")', '"\\u003ca\\u0026b\\u003e"'),
        ('jsonencode("é\\n\\t")', '"é\\n\\t"'),
        ("jsonencode(1e21)", "1000000000000000000000"),
        ("jsonencode(0.000001)", "0.000001"),
        ("jsonencode(null)", "null"),
        ("jsonencode([])", "[]"),
        ('jsondecode("{\\"hello\\": \\"world\\"}")', {"hello": "world"}),
        ('jsondecode("true")', True),
        ('jsondecode("[1, 2.5, 3.0, null]")', [1, 2.5, 3, None]),
        ('jsondecode("12345678901234567890")', 12345678901234567890),
        (
            'csvdecode("a,b,c\\n1,2,3\\n4,5,6")',
            [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}],
        ),
        (
            'csvdecode("a,b\\r\\n\\"x,y\\",\\"say \\"\\"hi\\"\\"\\"\\r\\n")',
            [{"a": "x,y", "b": 'say "hi"'}],
        ),
        ('csvdecode("a,b\\n")', []),
        ('base64encode("Hello World")', "SGVsbG8gV29ybGQ="),
        ('base64encode("")', ""),
        ('base64encode("☃")', "4piD"),
        ('base64decode("SGVsbG8gV29ybGQ=")', "Hello World"),
        ('base64decode("4piD")', "☃"),
        ('urlencode("Hello World!")', "Hello+World%21"),
        ('urlencode("☃")', "%E2%98%83"),
        (
            'urlencode("foo:bar@localhost?foo=bar&bar=baz")',
            "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz",
        ),
        ('urlencode("a-b_c.d~e")', "a-b_c.d~e"),
    ],
)
def test_encoding_function(text: str, expected: Any) -> None:
    assert call(text) == expected


def test_jsonencode_round_trips_through_jsondecode() -> None:
    value = {"list": [1, "two", None, True], "nested": {"x": 1.5}}
    assert call("jsondecode(jsonencode(v))", v=value) == value


def test_bytes_functions_work_on_byte_buffers() -> None:
    assert call("byteslen(b)", b=b"hello") == 5
    assert call("bytesslice(b, 1, 3)", b=b"hello") == b"ell"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('jsondecode("{")', "invalid JSON"),
        ('jsondecode("NaN")', "invalid JSON"),
        ('csvdecode("")', "missing header"),
        ('csvdecode("a,b\\n1")', "wrong number of fields"),
        ('base64decode("not base64!")', "base64"),
        ('base64decode("/w==")', "UTF-8"),
        ('byteslen("text")', "bytes"),
    ],
)
def test_encoding_function_errors(text: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3"),
        ('sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
        (
            'sha256("hello world")',
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9",
        ),
        (
            'sha512("hello world")',
            "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da"
            "34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f",
        ),
        ('uuidv5("dns", "www.terraform.io")', "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
        ('uuidv5("url", "https://www.terraform.io/")', "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
        ('uuidv5("oid", "1.3.6.1.4")', "af9d40a5-7a36-5c07-b23a-851cd99fbfa5"),
        ('uuidv5("x500", "CN=Example,C=GB")', "84e09961-4aa4-57f8-95b7-03edb1073253"),
        (
            'uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io")',
            "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
        ),
    ],
)
def test_hash_function(text: str, expected: str) -> None:
    assert call(text) == expected


def test_uuidv4_is_random_version_4() -> None:
    first, second = call("uuidv4()"), call("uuidv4()")
    assert first != second
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )


def test_uuidv5_rejects_unknown_namespace() -> None:
    with pytest.raises(HclError, match="namespace"):
        call('uuidv5("nope", "x")')


@pytest.mark.parametrize(
    ("expression", "prefix"),
    [
        ('bcrypt("hunter2")', "$2a$10$"),
        ('bcrypt("hunter2", 4)', "$2a$04$"),
        ('bcrypt("x", 3)', "$2a$10$"),
    ],
)
def test_bcrypt_hashes_as_go_does(expression: str, prefix: str) -> None:
    """buildx 0.13.1 printed $2a$10$..., $2a$04$... and $2a$10$... (a cost under 4 is 10)."""
    import bcrypt as blowfish

    hashed = call(expression)
    assert hashed.startswith(prefix)
    assert len(hashed) == 60
    password = expression.split('"')[1].encode()
    assert blowfish.checkpw(password, hashed.encode())


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ('bcrypt("x", 32)', "cost 32 is outside allowed range"),
        ('bcrypt("x", 4, 5)', "no more than two arguments"),
        (f'bcrypt("{"a" * 73}")', "password length exceeds 72 bytes"),
    ],
)
def test_bcrypt_refuses_what_go_refuses(expression: str, message: str) -> None:
    with pytest.raises(HclError, match=message):
        call(expression)


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_length(len(body)) + body


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _pem_rsa_key() -> tuple[str, int, int]:
    """A small (insecure, test-only) RSA key built from two known primes."""
    p = 2**127 - 1
    q = 2**89 - 1
    n, e = p * q, 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    fields = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    body = b"".join(_der_integer(f) for f in fields)
    der = b"\x30" + _der_length(len(body)) + body
    pem = (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + base64.b64encode(der).decode()
        + ("\n-----END RSA PRIVATE KEY-----\n")
    )
    return pem, n, e


def test_rsadecrypt_decrypts_pkcs1_v15_ciphertext() -> None:
    pem, n, e = _pem_rsa_key()
    size = (n.bit_length() + 7) // 8
    message = b"hi!"
    block = b"\x00\x02" + b"\x07" * (size - len(message) - 3) + b"\x00" + message
    cipher = pow(int.from_bytes(block, "big"), e, n).to_bytes(size, "big")
    assert call("rsadecrypt(c, k)", c=base64.b64encode(cipher).decode(), k=pem) == "hi!"


def test_rsadecrypt_rejects_bad_key() -> None:
    with pytest.raises(HclError, match="private key"):
        call('rsadecrypt("AAAA", "not a key")')


def test_rsadecrypt_refuses_pkcs8_keys_as_buildx_0_13() -> None:
    """buildx 0.13.1 parses the key with x509.ParsePKCS1PrivateKey; a PKCS #8 wrapping of the
    same key fails there with Go's hint (seen with an openssl-made key)."""
    pem, _, _ = _pem_rsa_key()
    pkcs1 = base64.b64decode("".join(pem.splitlines()[1:-1]))
    algorithm = b"\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00"
    octets = b"\x04" + _der_length(len(pkcs1)) + pkcs1
    body = b"\x02\x01\x00" + algorithm + octets
    der = b"\x30" + _der_length(len(body)) + body
    pkcs8 = (
        "-----BEGIN PRIVATE KEY-----\n"
        + base64.b64encode(der).decode()
        + "\n-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(HclError, match="use ParsePKCS8PrivateKey instead"):
        call("rsadecrypt(c, k)", c="AAAA", k=pkcs8)
