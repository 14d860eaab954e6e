"""Test-only control endpoints (not AWS APIs): let a test put a resource into a state that only AWS
itself can produce — a failing mapping, a broken cluster, a failed function. Unsigned JSON over
loopback, under /moto-ext/ so they can never collide with an AWS route.

  GET  /moto-ext/health
       -> {"extensions": [...]}
  POST /moto-ext/esm/<uuid>/state
       {"State"?, "StateTransitionReason"?, "LastProcessingResult"?}  (null clears a field)
       -> the mapping as GetEventSourceMapping returns it; 404 when no Kafka mapping has that UUID
  POST /moto-ext/kafka/cluster-state
       {"ClusterArn", "State", "StateInfo"?: {"Code", "Message"}}
       -> {"ClusterArn", "State"}; 404 when the cluster does not exist
  POST /moto-ext/lambda/function-state
       {"FunctionName" (name or ARN), "State"?, "StateReason"?, "StateReasonCode"?,
        "LastUpdateStatus"?, "LastUpdateStatusReason"?, "LastUpdateStatusReasonCode"?}
       -> {"FunctionArn", ...}; 404 when no function has that name
  POST /moto-ext/cloudtrail/events
       {"Region", "Account"?, "EventName", "EventSource", "Resources": [{"ResourceType", "ResourceName"}],
        "EventTime"? (ISO 8601, default now), "Principal"?, "RequestParameters"?}
       -> the event as LookupEvents returns it (an entry of CloudTrail's event history, e.g. one dated earlier)
The lookups search every account and region moto holds, so the body needs no region.
"""
from __future__ import annotations

import json
import re
from typing import Any

from .http import Request, Response, json_response

ESM_STATES = {"Creating", "Enabling", "Enabled", "Disabling", "Disabled", "Updating", "Deleting"}
CLUSTER_STATES = {"ACTIVE", "CREATING", "DELETING", "FAILED", "HEALING", "MAINTENANCE", "REBOOTING_BROKER", "UPDATING"}
FUNCTION_FIELDS = ("State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode")

EXTENSIONS = [
    "lambda:CreateEventSourceMapping (MSK, self-managed Kafka)",
    "lambda:GetEventSourceMapping",
    "lambda:ListEventSourceMappings (filters, Marker/MaxItems)",
    "lambda:UpdateEventSourceMapping",
    "lambda:DeleteEventSourceMapping",
    "kafka:GetBootstrapBrokers",
    "kafka:BatchAssociateScramSecret",
    "kafka:BatchDisassociateScramSecret",
    "kafka:ListScramSecrets",
    "kafka:CreateTopic",
    "kafka:DescribeTopic",
    "kafka:ListTopics",
    "kafka:DeleteTopic",
    "iam:SimulatePrincipalPolicy",
    "cloudtrail:LookupEvents (event history of the write calls esm-doctor assesses, recorded as they pass)",
]


def _problem(status: int, message: str) -> Response:
    return json_response({"message": message}, status=status)


def match(req: Request) -> Any:
    if not req.path.startswith("/moto-ext/"):
        return None
    if req.path == "/moto-ext/health" and req.method == "GET":
        return lambda r: json_response({"extensions": EXTENSIONS})
    m = re.match(r"^/moto-ext/esm/([^/]+)/state/?$", req.path)
    if m and req.method == "POST":
        return lambda r: set_esm_state(r, m.group(1))
    if req.path.rstrip("/") == "/moto-ext/kafka/cluster-state" and req.method == "POST":
        return set_cluster_state
    if req.path.rstrip("/") == "/moto-ext/lambda/function-state" and req.method == "POST":
        return set_function_state
    if req.path.rstrip("/") == "/moto-ext/cloudtrail/events" and req.method == "POST":
        return add_cloudtrail_event
    return lambda r: _problem(404, f"no control endpoint {r.method} {r.path}")


def _body(req: Request) -> dict[str, Any]:
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def set_esm_state(req: Request, uuid: str) -> Response:
    from .lambda_esm import KafkaEventSourceMapping, all_mappings

    try:
        body = _body(req)
    except ValueError as err:
        return _problem(400, str(err))
    unknown = set(body) - {"State", "StateTransitionReason", "LastProcessingResult"}
    if unknown:
        return _problem(400, f"unknown field(s): {', '.join(sorted(unknown))}")
    if "State" in body and body["State"] not in ESM_STATES:
        return _problem(400, f"State must be one of {sorted(ESM_STATES)}")
    for _, _, esm in all_mappings():
        if esm.uuid != uuid:
            continue
        if not isinstance(esm, KafkaEventSourceMapping):
            return _problem(400, f"{uuid} is not a Kafka mapping; only Kafka mappings can be driven")
        if "State" in body:
            esm.state = body["State"]
            if body["State"] in ("Enabled", "Disabled"):
                esm.enabled = body["State"] == "Enabled"
        if "StateTransitionReason" in body:
            esm.state_transition_reason = body["StateTransitionReason"]
        if "LastProcessingResult" in body:
            esm.last_processing_result = body["LastProcessingResult"]
        return json_response(esm.get_configuration())
    return _problem(404, f"no event source mapping {uuid}")


def set_cluster_state(req: Request) -> Response:
    from moto.kafka.models import kafka_backends

    try:
        body = _body(req)
    except ValueError as err:
        return _problem(400, str(err))
    arn, state = body.get("ClusterArn"), body.get("State")
    if state not in CLUSTER_STATES:
        return _problem(400, f"State must be one of {sorted(CLUSTER_STATES)}")
    for _, regions in list(kafka_backends.items()):
        for _, backend in list(regions.items()):
            cluster = backend.clusters.get(arn)
            if cluster is not None:
                cluster.state = state
                info = body.get("StateInfo")
                cluster.state_info = {"code": info.get("Code"), "message": info.get("Message")} if isinstance(info, dict) else None
                return json_response({"ClusterArn": arn, "State": state})
    return _problem(404, f"no cluster {arn}")


def set_function_state(req: Request) -> Response:
    from moto.awslambda.models import lambda_backends

    try:
        body = _body(req)
    except ValueError as err:
        return _problem(400, str(err))
    name = str(body.get("FunctionName") or "")
    unknown = set(body) - {"FunctionName", *FUNCTION_FIELDS}
    if unknown:
        return _problem(400, f"unknown field(s): {', '.join(sorted(unknown))}")
    for _, regions in list(lambda_backends.items()):
        for _, backend in list(regions.items()):
            for group in list(backend._lambdas._functions.values()):
                fn = group["latest"]
                if name in (fn.function_name, fn.function_arn):
                    overrides = getattr(fn, "moto_ext_status", {})
                    for key in FUNCTION_FIELDS:
                        if key in body:
                            overrides[key] = body[key]
                    fn.moto_ext_status = overrides
                    if "State" in body:
                        fn.state = body["State"]
                    return json_response({"FunctionArn": fn.function_arn, **overrides})
    return _problem(404, f"no function {name}")


def add_cloudtrail_event(req: Request) -> Response:
    from datetime import datetime

    from . import cloudtrail

    try:
        body = _body(req)
    except ValueError as err:
        return _problem(400, str(err))
    for key in ("Region", "EventName", "EventSource"):
        if not isinstance(body.get(key), str) or not body[key]:
            return _problem(400, f"{key} is required")
    resources = body.get("Resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, dict) and r.get("ResourceName") for r in resources):
        return _problem(400, "Resources must be a list of {ResourceType, ResourceName}")
    when = None
    if body.get("EventTime"):
        try:
            when = datetime.fromisoformat(str(body["EventTime"]).replace("Z", "+00:00"))
        except ValueError:
            return _problem(400, "EventTime must be ISO 8601")
    event = cloudtrail.add_event(
        str(body.get("Account") or req.account),
        body["Region"],
        name=body["EventName"],
        source=body["EventSource"],
        resources=[(r["ResourceName"], r.get("ResourceType", "")) for r in resources],
        parameters=body.get("RequestParameters") or {},
        when=when,
        principal=body.get("Principal"),
    )
    return json_response(event)
