"""CloudTrail event history for the moto extension (test-only), per botocore cloudtrail 2013-11-01
(json 1.1, `X-Amz-Target: CloudTrail_20131101.<Operation>` as the SDKs send it; the model's fully
qualified `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>` is accepted too).

  LookupEvents   {LookupAttributes?: [{AttributeKey, AttributeValue}] (at most one), StartTime?, EndTime?,
                  MaxResults? (1-50, default 50), NextToken?}
                 -> {Events: [{EventId, EventName, ReadOnly, AccessKeyId, EventTime, EventSource,
                               Username, Resources: [{ResourceType, ResourceName}], CloudTrailEvent}],
                     NextToken?}
                 newest first; errors InvalidLookupAttributesException, InvalidTimeRangeException,
                 InvalidMaxResultsException, InvalidNextTokenException (all 400).

Where the events come from: like CloudTrail's event history, every successful write call that goes
through this moto for the calls esm-doctor's impact assesses (EC2 security groups, routes, NAT
gateways, endpoints, NACLs; IAM role policies; Secrets Manager; KMS; MSK SCRAM association, security,
connectivity and deletion; Lambda concurrency and deletion) is recorded as a management event with the resources the call names, the
caller (moto's `arn:aws:iam::<account>:user/moto`) and the request parameters lower-camel-cased.
`POST /moto-ext/cloudtrail/events` (control.py) adds an event directly, e.g. one dated earlier.

Simplified: only the recorded calls are in the history (no read-only events), no Insights events,
`EventCategory` is ignored. The history lives on moto's own CloudTrail backend object, so a moto
reset clears it.
"""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from .http import ApiError, Request, Response, json_response

TARGETS = ("CloudTrail_20131101.LookupEvents", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
ATTRIBUTE_KEYS = {"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

# Query-protocol writes (EC2, IAM): Action → [(request member, CloudTrail resource type)].
QUERY_CALLS: dict[str, list[tuple[str, str]]] = {
    "AuthorizeSecurityGroupIngress": [("GroupId", "AWS::EC2::SecurityGroup")],
    "AuthorizeSecurityGroupEgress": [("GroupId", "AWS::EC2::SecurityGroup")],
    "RevokeSecurityGroupIngress": [("GroupId", "AWS::EC2::SecurityGroup")],
    "RevokeSecurityGroupEgress": [("GroupId", "AWS::EC2::SecurityGroup")],
    "ModifySecurityGroupRules": [("GroupId", "AWS::EC2::SecurityGroup")],
    "CreateRoute": [("RouteTableId", "AWS::EC2::RouteTable")],
    "ReplaceRoute": [("RouteTableId", "AWS::EC2::RouteTable")],
    "DeleteRoute": [("RouteTableId", "AWS::EC2::RouteTable")],
    "ReplaceRouteTableAssociation": [("AssociationId", "AWS::EC2::SubnetRouteTableAssociation"), ("RouteTableId", "AWS::EC2::RouteTable")],
    "DeleteNatGateway": [("NatGatewayId", "AWS::EC2::NatGateway")],
    "DeleteVpcEndpoints": [("VpcEndpointId.1", "AWS::EC2::VPCEndpoint")],
    "ModifyVpcEndpoint": [("VpcEndpointId", "AWS::EC2::VPCEndpoint")],
    "CreateNetworkAclEntry": [("NetworkAclId", "AWS::EC2::NetworkAcl")],
    "ReplaceNetworkAclEntry": [("NetworkAclId", "AWS::EC2::NetworkAcl")],
    "DeleteNetworkAclEntry": [("NetworkAclId", "AWS::EC2::NetworkAcl")],
    "ReplaceNetworkAclAssociation": [("AssociationId", "AWS::EC2::SubnetNetworkAclAssociation"), ("NetworkAclId", "AWS::EC2::NetworkAcl")],
    "AttachRolePolicy": [("RoleName", "AWS::IAM::Role")],
    "DetachRolePolicy": [("RoleName", "AWS::IAM::Role")],
    "PutRolePolicy": [("RoleName", "AWS::IAM::Role")],
    "DeleteRolePolicy": [("RoleName", "AWS::IAM::Role")],
    "UpdateAssumeRolePolicy": [("RoleName", "AWS::IAM::Role")],
    "PutRolePermissionsBoundary": [("RoleName", "AWS::IAM::Role")],
}
# JSON-protocol writes: X-Amz-Target operation → (request member, resource type).
JSON_CALLS: dict[str, tuple[str, str]] = {
    "secretsmanager.DeleteSecret": ("SecretId", "AWS::SecretsManager::Secret"),
    "secretsmanager.PutSecretValue": ("SecretId", "AWS::SecretsManager::Secret"),
    "secretsmanager.UpdateSecret": ("SecretId", "AWS::SecretsManager::Secret"),
    "TrentService.DisableKey": ("KeyId", "AWS::KMS::Key"),
    "TrentService.ScheduleKeyDeletion": ("KeyId", "AWS::KMS::Key"),
    "TrentService.PutKeyPolicy": ("KeyId", "AWS::KMS::Key"),
}
EVENT_SOURCES = {"ec2": "ec2.amazonaws.com", "iam": "iam.amazonaws.com", "secretsmanager": "secretsmanager.amazonaws.com", "kms": "kms.amazonaws.com", "kafka": "kafka.amazonaws.com", "lambda": "lambda.amazonaws.com"}
# REST writes: (service, method, path pattern) → (event name, resource type); the id is the pattern's group.
REST_CALLS = [
    ("kafka", "PATCH", re.compile(r"^/v1/clusters/(?P<id>[^/]+)/scram-secrets/?$"), "BatchDisassociateScramSecret", "AWS::MSK::Cluster"),
    ("kafka", "PATCH", re.compile(r"^/v1/clusters/(?P<id>[^/]+)/security/?$"), "UpdateSecurity", "AWS::MSK::Cluster"),
    ("kafka", "PUT", re.compile(r"^/v1/clusters/(?P<id>[^/]+)/connectivity/?$"), "UpdateConnectivity", "AWS::MSK::Cluster"),
    ("kafka", "DELETE", re.compile(r"^/v1/clusters/(?P<id>[^/]+)/?$"), "DeleteCluster", "AWS::MSK::Cluster"),
    ("lambda", "PUT", re.compile(r"^/2017-10-31/functions/(?P<id>[^/]+)/concurrency/?$"), "PutFunctionConcurrency20171031", "AWS::Lambda::Function"),
    ("lambda", "DELETE", re.compile(r"^/2015-03-31/functions/(?P<id>[^/]+)/?$"), "DeleteFunction20150331", "AWS::Lambda::Function"),
]


def _backend(account: str, region: str) -> Any:
    from moto.cloudtrail.models import cloudtrail_backends

    return cloudtrail_backends[account][region]


def history(account: str, region: str) -> list[dict[str, Any]]:
    backend = _backend(account, region)
    events = getattr(backend, "moto_ext_events", None)
    if events is None:
        events = backend.moto_ext_events = []
    return events


def _lower_camel(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {(k[:1].lower() + k[1:]): _lower_camel(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_lower_camel(v) for v in obj]
    return obj


def add_event(account: str, region: str, *, name: str, source: str, resources: list[tuple[str, str]],
              parameters: dict[str, Any], when: datetime | None = None, principal: str | None = None) -> dict[str, Any]:
    when = when or datetime.now(timezone.utc)
    arn = principal or f"arn:aws:iam::{account}:user/moto"
    event_id = str(uuid.uuid4())
    record = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAMOTOEXAMPLE", "arn": arn, "accountId": account, "accessKeyId": "testing", "userName": arn.rsplit("/", 1)[-1]},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "127.0.0.1",
        "userAgent": "moto_ext",
        "requestParameters": parameters,
        "responseElements": None,
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    event = {
        "EventId": event_id,
        "EventName": name,
        "ReadOnly": "false",
        "AccessKeyId": "testing",
        "EventTime": when.timestamp(),
        "EventSource": source,
        "Username": record["userIdentity"]["userName"],
        "Resources": [{"ResourceType": t, "ResourceName": n} for n, t in resources],
        "CloudTrailEvent": json.dumps(record),
    }
    history(account, region).append(event)
    return event


def record(req: Request, status: int) -> None:
    """Called for every request that went through (moto or a matcher): a successful write the
    history keeps becomes an event."""
    if status >= 300 or not req.region or not req.service:
        return
    service = req.service
    source = EVENT_SOURCES.get(service)
    if source is None:
        return
    try:
        if service in ("ec2", "iam") and req.method == "POST":
            form = req.form()
            action = form.get("Action", "")
            members = QUERY_CALLS.get(action)
            if not members:
                return
            resources = [(form[m], t) for m, t in members if form.get(m)]
            params = {k[:1].lower() + k[1:]: v for k, v in form.items() if k not in ("Action", "Version")}
            add_event(req.account, req.region, name=action, source=source, resources=resources, parameters=params)
            return
        target = req.environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            call = JSON_CALLS.get(target)
            if call:
                body = req.json()
                value = body.get(call[0])
                resources = [(value, call[1])] if isinstance(value, str) else []
                add_event(req.account, req.region, name=target.split(".", 1)[1], source=source, resources=resources, parameters=_lower_camel(body))
            return
        for svc, method, pattern, name, rtype in REST_CALLS:
            m = pattern.match(req.raw_path) if svc == service and method == req.method else None
            if m:
                ident = unquote(m.group("id"))
                body = req.json() if req.body.strip() else {}
                params = {"clusterArn" if svc == "kafka" else "functionName": ident, **_lower_camel(body)}
                add_event(req.account, req.region, name=name, source=source, resources=[(ident, rtype)], parameters=params)
                return
    except Exception:  # never let the recorder break the call it records
        import sys
        import traceback

        traceback.print_exc(file=sys.stderr)


def match(req: Request) -> Any:
    target = req.environ.get("HTTP_X_AMZ_TARGET", "")
    if req.method != "POST" or target not in TARGETS:
        return None
    return lookup_events


def _error(code: str, message: str) -> Response:
    return Response(400, json.dumps({"__type": code, "message": message}).encode(), "application/x-amz-json-1.1", {"x-amzn-ErrorType": code})


def lookup_events(req: Request) -> Response:
    try:
        body = req.json()
    except ValueError:
        return _error("SerializationException", "the body is not JSON")
    attrs = body.get("LookupAttributes") or []
    if len(attrs) > 1:
        return _error("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.")
    for a in attrs:
        if a.get("AttributeKey") not in ATTRIBUTE_KEYS or not isinstance(a.get("AttributeValue"), str):
            return _error("InvalidLookupAttributesException", f"Invalid lookup attribute: {a.get('AttributeKey')}")
    start, end = body.get("StartTime"), body.get("EndTime")
    if start is not None and end is not None and float(start) > float(end):
        return _error("InvalidTimeRangeException", "Start time must be before end time.")
    max_results = body.get("MaxResults", 50)
    if not isinstance(max_results, int) or not 1 <= max_results <= 50:
        return _error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    events = sorted(history(req.account, req.region or "us-east-1"), key=lambda e: e["EventTime"], reverse=True)

    def keep(e: dict[str, Any]) -> bool:
        if start is not None and e["EventTime"] < float(start):
            return False
        if end is not None and e["EventTime"] > float(end):
            return False
        for a in attrs:
            key, value = a["AttributeKey"], a["AttributeValue"]
            if key in ("ResourceName", "ResourceType"):
                field = "ResourceName" if key == "ResourceName" else "ResourceType"
                if not any(r.get(field) == value for r in e["Resources"]):
                    return False
            elif str(e.get(key)) != value:
                return False
        return True

    selected = [e for e in events if keep(e)]
    token = body.get("NextToken")
    offset = 0
    if token is not None:
        try:
            offset = int(token)
        except ValueError:
            return _error("InvalidNextTokenException", "Invalid NextToken.")
    page = selected[offset:offset + max_results]
    out: dict[str, Any] = {"Events": page}
    if offset + max_results < len(selected):
        out["NextToken"] = str(offset + max_results)
    resp = json_response(out)
    resp.headers["Content-Type"] = "application/x-amz-json-1.1"
    return resp
