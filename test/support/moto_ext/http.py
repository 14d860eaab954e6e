"""Request parsing and AWS-protocol responses for the moto extension (test-only).

The extension sits in front of moto as a WSGI middleware. Requests are recognised the way AWS
recognises them: the SigV4 credential scope names the service and region, the access key names
the account (same rule as moto: MOTO_ACCOUNT_ID, then the x-moto-account-id header, then the key),
and the HTTP method plus the *raw* (still percent-encoded) path name the operation, as in the
botocore service models' `requestUri`.
"""
from __future__ import annotations

import io
import json
import os
import re
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, quote, unquote, urlsplit

StartResponse = Callable[..., Any]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")

_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}


class Request:
    def __init__(self, environ: dict[str, Any]):
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw_uri:
            if "://" in raw_uri.split("?", 1)[0]:  # an absolute URI (proxy form): keep path and query
                parts = urlsplit(raw_uri)
                raw_path, raw_query = parts.path or "/", parts.query
            else:
                raw_path, _, raw_query = raw_uri.partition("?")
        else:
            raw_path = quote(environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")
            raw_query = environ.get("QUERY_STRING", "")
        self.raw_path: str = raw_path
        self.path: str = unquote(raw_path)
        self.query: dict[str, list[str]] = parse_qs(raw_query or environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self._body: bytes | None = None
        auth = environ.get("HTTP_AUTHORIZATION", "")
        m = _CREDENTIAL.search(auth)
        self.access_key: str | None = m.group(1) if m else None
        self.region: str | None = m.group(2) if m else None
        self.service: str | None = m.group(3).lower() if m else None

    @property
    def body(self) -> bytes:
        """Reads the body once and puts it back, so moto can read it again when we pass through."""
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            stream = self.environ.get("wsgi.input")
            data = stream.read(length) if (stream is not None and length > 0) else b""
            if self.environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip" and data:
                import gzip

                data = gzip.decompress(data)
                self.environ.pop("HTTP_CONTENT_ENCODING", None)
                self.environ["CONTENT_LENGTH"] = str(len(data))
            self._body = data
            self.environ["wsgi.input"] = io.BytesIO(data)
        return self._body

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def q(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def account(self) -> str:
        if "MOTO_ACCOUNT_ID" in os.environ:
            return os.environ["MOTO_ACCOUNT_ID"]
        header = self.environ.get("HTTP_X_MOTO_ACCOUNT_ID")
        if header:
            return header
        from moto.iam.models import get_account_id_from

        return get_account_id_from(self.access_key or "AKIAEXAMPLE")


class ApiError(Exception):
    """An AWS error: rendered in the protocol of the service that raised it."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


class Response:
    def __init__(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None):
        self.status = status
        self.body = body
        self.headers = {"Content-Type": content_type, "x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}

    def __call__(self, start_response: StartResponse) -> Iterable[bytes]:
        headers = [(k, v) for k, v in self.headers.items()]
        headers.append(("Content-Length", str(len(self.body))))
        start_response(f"{self.status} {_REASONS.get(self.status, 'Unknown')}", headers)
        return [self.body]


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(_drop_none(obj)).encode("utf-8"), "application/json")


def rest_json_error(err: ApiError, message_key: str = "message") -> Response:
    """restJson1 error: the code travels in x-amzn-ErrorType, the body carries the message.

    Lambda's error shapes spell the member `Message` or `message` depending on the shape and add
    `Type` ("User"); Kafka's use `message` (+ `invalidParameter`)."""
    body = {message_key: err.message, **err.extra}
    return Response(
        err.status,
        json.dumps(body).encode("utf-8"),
        "application/json",
        {"x-amzn-ErrorType": err.code},
    )


def xml_response(xml: str, status: int = 200) -> Response:
    return Response(status, xml.encode("utf-8"), "text/xml")


def query_xml_error(err: ApiError, namespace: str) -> Response:
    sender = "Sender" if err.status < 500 else "Receiver"
    xml = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{sender}</Type><Code>{escape(err.code)}</Code>'
        f"<Message>{escape(err.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return Response(err.status, xml.encode("utf-8"), "text/xml")


def escape(text: Any) -> str:
    return (
        str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _drop_none(obj: Any) -> Any:
    """AWS omits absent members rather than sending null: the SDKs would otherwise see `null`."""
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj
