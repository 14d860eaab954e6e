"""moto_ext — test-only additions to moto 5.2.1 for esm-doctor's integration tests.

Run in-process by test/support/moto_launcher.py; never imported by the product. Two layers:

  patches.py      fixes to operations moto already has (MSK cluster ARNs, time zones and defaults,
                  NAT gateway ConnectivityType, AWS managed KMS keys, AWS managed IAM policies).
  a WSGI layer    in front of moto's DomainDispatcherApplication answering the operations moto
                  lacks, faithful to the botocore service models (same URIs, methods, member names,
                  error codes):
                    lambda_esm.py     Kafka event source mappings (MSK and self-managed)
                    kafka_ops.py      GetBootstrapBrokers, SCRAM secret association, topics, managed VPC connections
                    iam_simulate.py   SimulatePrincipalPolicy
                    cloudtrail.py     LookupEvents over the write calls recorded as they pass through
                    control.py        /moto-ext/* endpoints that let tests simulate failures
                  Everything else passes through to moto untouched.

All state lives on moto's own backend objects, so `POST /moto-api/reset` clears it.
"""
from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, Iterable

from . import cloudtrail, control, iam_simulate, kafka_ops, lambda_esm, patches
from .http import ApiError, Request, Response, json_response

MATCHERS = (control.match, lambda_esm.match, kafka_ops.match, iam_simulate.match, cloudtrail.match)


def install() -> None:
    patches.apply()


class ExtensionMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        req = Request(environ)
        seen: dict[str, int] = {}

        def recording_start_response(status: str, headers: Any, *rest: Any) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, *rest)

        try:
            for matcher in MATCHERS:
                handler = matcher(req)
                if handler is not None:
                    body = handler(req)(recording_start_response)
                    cloudtrail.record(req, seen.get("status", 500))
                    return body
        except ApiError as err:  # a matcher refused the request outright
            return json_response({"message": err.message}, status=err.status)(start_response)
        except Exception as err:  # a bug in the extension: say so loudly, like AWS's 500
            traceback.print_exc(file=sys.stderr)
            return Response(
                500,
                f'{{"message": "moto_ext internal error: {type(err).__name__}: {str(err)[:200]}"}}'.encode(),
                "application/json",
                {"x-amzn-ErrorType": "ServiceException"},
            )(start_response)
        # Read the body now, while it is still there for the recorder (Request puts it back for moto).
        _ = req.body
        # Drained here so that the status is known before the recorder looks at it.
        body = list(self.app(environ, recording_start_response))
        cloudtrail.record(req, seen.get("status", 500))
        return body


def wrap(app: Callable[..., Iterable[bytes]]) -> ExtensionMiddleware:
    return ExtensionMiddleware(app)
