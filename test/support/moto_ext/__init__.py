"""moto_ext — test-only additions to moto 5.2.1 for esm-doctor's integration tests.

Run in-process by test/support/moto_launcher.py; never imported by the product. Two layers:

  patches.py      fixes to operations moto already has (MSK cluster ARNs, time zones and defaults,
                  NAT gateway ConnectivityType, AWS managed KMS keys, AWS managed IAM policies).
  a WSGI layer    in front of moto's DomainDispatcherApplication answering the operations moto
                  lacks, faithful to the botocore service models (same URIs, methods, member names,
                  error codes):
                    lambda_esm.py     Kafka event source mappings (MSK and self-managed)
                    kafka_ops.py      GetBootstrapBrokers, SCRAM secret association, topics
                    iam_simulate.py   SimulatePrincipalPolicy
                    control.py        /moto-ext/* endpoints that let tests simulate failures
                  Everything else passes through to moto untouched.

All state lives on moto's own backend objects, so `POST /moto-api/reset` clears it.
"""
from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, Iterable

from . import control, iam_simulate, kafka_ops, lambda_esm, patches
from .http import ApiError, Request, Response, json_response

MATCHERS = (control.match, lambda_esm.match, kafka_ops.match, iam_simulate.match)


def install() -> None:
    patches.apply()


class ExtensionMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        req = Request(environ)
        try:
            for matcher in MATCHERS:
                handler = matcher(req)
                if handler is not None:
                    return handler(req)(start_response)
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
        return self.app(environ, start_response)


def wrap(app: Callable[..., Iterable[bytes]]) -> ExtensionMiddleware:
    return ExtensionMiddleware(app)
