"""Lambda event source mappings for Kafka sources, per botocore lambda 2015-03-31 (rest-json):

  CreateEventSourceMapping   POST   /2015-03-31/event-source-mappings          -> 202 EventSourceMappingConfiguration
  ListEventSourceMappings    GET    /2015-03-31/event-source-mappings          ?EventSourceArn&FunctionName&Marker&MaxItems
  GetEventSourceMapping      GET    /2015-03-31/event-source-mappings/{UUID}   -> 200
  UpdateEventSourceMapping   PUT    /2015-03-31/event-source-mappings/{UUID}   -> 202
  DeleteEventSourceMapping   DELETE /2015-03-31/event-source-mappings/{UUID}   -> 202

An MSK mapping has a Kafka cluster ARN as `EventSourceArn`; a self-managed one has no
`EventSourceArn` and `SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS`. Both are stored in
moto's own `LambdaBackend._event_source_mappings` (so moto's tagging, and `reset()`, see them);
SQS / Kinesis / DynamoDB mappings are still created, read, updated and deleted by moto itself.
ListEventSourceMappings is answered here for every kind (moto's has no Marker / MaxItems and
filters FunctionName by the raw name given at create): filters by `EventSourceArn` and by
`FunctionName` (name, ARN or partial ARN, resolved to the function ARN), pages of at most 100
(`MaxItems` 1..10000, capped at 100 as the model documents), opaque `Marker` / `NextMarker`.

Lifecycle, as Lambda reports it: Create answers `State: Creating`, `StateTransitionReason:
USER_INITIATED`, `LastProcessingResult: No records processed`; the mapping is then `Enabled` (or
`Disabled` with `Enabled: false`). Update answers `Updating` (or `Enabling` / `Disabling` when
`Enabled` flips) and settles the same way; Delete answers `Deleting`. Update or delete of a mapping
in `Creating`, `Updating`, `Enabling`, `Disabling` or `Deleting` answers `ResourceInUseException`.
Tests drive `State`, `StateTransitionReason` and `LastProcessingResult` through the control endpoint
(see control.py) to simulate a failing mapping.

Validation follows the model's documented constraints: `Topics` exactly one name matching
`[^.]([a-zA-Z0-9\\-_.]+)`; `KAFKA_BOOTSTRAP_SERVERS` 1..10 `host:port` entries; the
SourceAccessConfiguration `Type` enum (VIRTUAL_HOST is RabbitMQ only); `VPC_SUBNET` /
`VPC_SECURITY_GROUP` URIs `subnet:subnet-…` / `security_group:sg-…`; `BatchSize` 1..10000 (default
100); `MaximumBatchingWindowInSeconds` 0..300; `ProvisionedPollerConfig` Minimum 1..200, Maximum
1..2000; `StartingPosition` required for MSK, `AT_TIMESTAMP` needs `StartingPositionTimestamp`;
on-failure destinations only (`OnSuccess` is not supported for mappings), `kafka://` destinations in
provisioned mode only; SQS-, Kinesis- or DocumentDB-only parameters are refused. The function must
exist (`ResourceNotFoundException`); a second mapping of the same function, source and topic is a
`ResourceConflictException`. Create-only fields (ConsumerGroupId, Topics, source) cannot be updated.
The MSK cluster is not required to exist at create (Lambda only finds out when it polls), so a
test can point a mapping at a deleted cluster.
"""
from __future__ import annotations

import base64
import re
import time
import uuid as uuidlib
from typing import Any

from .http import ApiError, Request, Response, json_response, rest_json_error

LIST_PATH = re.compile(r"^/2015-03-31/event-source-mappings/?$")
ONE_PATH = re.compile(r"^/2015-03-31/event-source-mappings/(?P<uuid>[^/]+)/?$")

TOPIC = re.compile(r"^[^.]([a-zA-Z0-9\-_.]+)$")
ENDPOINT = re.compile(r"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9]):[0-9]{1,5}$")
ACCESS_URI = re.compile(r"^[ a-zA-Z0-9-\/*:_+=.@-]{1,200}$")
CONSUMER_GROUP = re.compile(r"^[ a-zA-Z0-9-\/*:_+=.@-]{1,200}$")
ACCESS_TYPES = {
    "BASIC_AUTH", "VPC_SUBNET", "VPC_SECURITY_GROUP", "SASL_SCRAM_512_AUTH", "SASL_SCRAM_256_AUTH",
    "VIRTUAL_HOST", "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE",
}
BUSY_STATES = {"Creating", "Updating", "Enabling", "Disabling", "Deleting"}
NOT_FOR_KAFKA = ("Queues", "ParallelizationFactor", "TumblingWindowInSeconds", "ScalingConfig", "DocumentDBEventSourceConfig")
UPDATABLE = {
    "FunctionName", "Enabled", "BatchSize", "FilterCriteria", "MaximumBatchingWindowInSeconds", "DestinationConfig",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "SourceAccessConfigurations",
    "FunctionResponseTypes", "KMSKeyArn", "MetricsConfig", "LoggingConfig", "ProvisionedPollerConfig",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig",
}

# Which member spelling each Lambda error shape uses for its message (botocore lambda model).
_MESSAGE_KEY = {
    "ResourceNotFoundException": "Message",
    "ResourceInUseException": "Message",
    "InvalidParameterValueException": "message",
    "ResourceConflictException": "message",
    "ServiceException": "Message",
}


def _error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, code, message, Type="User")


def invalid(message: str) -> ApiError:
    return _error(400, "InvalidParameterValueException", message)


def not_found(message: str = "The resource you requested does not exist.") -> ApiError:
    return _error(404, "ResourceNotFoundException", message)


def render_error(err: ApiError) -> Response:
    return rest_json_error(err, _MESSAGE_KEY.get(err.code, "message"))


def now_epoch() -> float:
    return round(time.time(), 3)


class KafkaEventSourceMapping:
    """A Kafka mapping in moto's ESM table. Carries the attributes moto reads from any mapping
    (uuid, arn, function_arn, event_source_arn, function_name, tags) plus Lambda's status fields."""

    def __init__(self, spec: dict[str, Any], function_arn: str, region: str, account: str):
        self.uuid = str(uuidlib.uuid4())
        self.region = region
        self.account_id = account
        self.arn = f"arn:aws:lambda:{region}:{account}:event-source-mapping:{self.uuid}"
        self.function_arn = function_arn
        self.function_name = spec["FunctionName"]
        self.event_source_arn: str | None = spec.get("EventSourceArn")
        self.tags: dict[str, str] = dict(spec.get("Tags") or {})
        self.fields: dict[str, Any] = {}
        for key in (
            "StartingPosition", "StartingPositionTimestamp", "BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria",
            "DestinationConfig", "Topics", "SourceAccessConfigurations", "SelfManagedEventSource", "MaximumRecordAgeInSeconds",
            "BisectBatchOnFunctionError", "MaximumRetryAttempts", "FunctionResponseTypes", "AmazonManagedKafkaEventSourceConfig",
            "SelfManagedKafkaEventSourceConfig", "KMSKeyArn", "MetricsConfig", "LoggingConfig", "ProvisionedPollerConfig",
        ):
            if spec.get(key) is not None:
                self.fields[key] = spec[key]
        self.fields.setdefault("BatchSize", 100)
        # Lambda fills in the consumer group it uses: the ESM UUID unless one was chosen.
        group_key = "AmazonManagedKafkaEventSourceConfig" if self.event_source_arn else "SelfManagedKafkaEventSourceConfig"
        group_config = dict(self.fields.get(group_key) or {})
        group_config.setdefault("ConsumerGroupId", self.uuid)
        self.fields[group_key] = group_config
        self.enabled = spec.get("Enabled", True) is not False
        self.state = "Enabled" if self.enabled else "Disabled"
        self.state_transition_reason = "USER_INITIATED"
        self.last_processing_result: str | None = "No records processed"
        self.last_modified = now_epoch()

    @property
    def is_kafka(self) -> bool:
        return True

    def get_configuration(self, state: str | None = None) -> dict[str, Any]:
        f = self.fields
        config = {
            "UUID": self.uuid,
            "StartingPosition": f.get("StartingPosition"),
            "StartingPositionTimestamp": f.get("StartingPositionTimestamp"),
            "BatchSize": f.get("BatchSize"),
            "MaximumBatchingWindowInSeconds": f.get("MaximumBatchingWindowInSeconds"),
            "EventSourceArn": self.event_source_arn,
            "FilterCriteria": f.get("FilterCriteria"),
            "FunctionArn": self.function_arn,
            "LastModified": self.last_modified,
            "LastProcessingResult": self.last_processing_result,
            "State": state or self.state,
            "StateTransitionReason": self.state_transition_reason,
            "DestinationConfig": f.get("DestinationConfig"),
            "Topics": f.get("Topics"),
            "SourceAccessConfigurations": f.get("SourceAccessConfigurations"),
            "SelfManagedEventSource": f.get("SelfManagedEventSource"),
            "MaximumRecordAgeInSeconds": f.get("MaximumRecordAgeInSeconds"),
            "BisectBatchOnFunctionError": f.get("BisectBatchOnFunctionError"),
            "MaximumRetryAttempts": f.get("MaximumRetryAttempts"),
            "FunctionResponseTypes": f.get("FunctionResponseTypes"),
            "AmazonManagedKafkaEventSourceConfig": f.get("AmazonManagedKafkaEventSourceConfig"),
            "SelfManagedKafkaEventSourceConfig": f.get("SelfManagedKafkaEventSourceConfig"),
            "KMSKeyArn": f.get("KMSKeyArn"),
            "EventSourceMappingArn": self.arn,
            "MetricsConfig": f.get("MetricsConfig"),
            "LoggingConfig": f.get("LoggingConfig"),
            "ProvisionedPollerConfig": f.get("ProvisionedPollerConfig"),
        }
        return {k: v for k, v in config.items() if v is not None}

    def delete(self, account_id: str, region_name: str) -> None:  # moto's CloudFormation hook
        lambda_backend(account_id, region_name)._event_source_mappings.pop(self.uuid, None)


def lambda_backend(account: str, region: str) -> Any:
    from moto.awslambda.models import lambda_backends

    return lambda_backends[account][region]


def all_mappings() -> list[tuple[str, str, Any]]:
    """Every mapping moto holds, across accounts and regions: (account, region, esm)."""
    from moto.awslambda.models import lambda_backends

    out = []
    for account, regions in list(lambda_backends.items()):
        for region, backend in list(regions.items()):
            for esm in list(getattr(backend, "_event_source_mappings", {}).values()):
                out.append((account, region, esm))
    return out


def is_kafka_request(body: dict[str, Any]) -> bool:
    arn = body.get("EventSourceArn")
    if isinstance(arn, str) and arn:
        return arn.split(":")[2:3] == ["kafka"]
    return "SelfManagedEventSource" in body


# ------------------------------------------------------------------------------------------------
# routing


def match(req: Request) -> Any:
    if req.service != "lambda":
        return None
    if LIST_PATH.match(req.raw_path):
        if req.method == "GET":
            return _guard(list_mappings)
        if req.method == "POST":
            try:
                body = req.json()
            except ValueError:
                return _guard(_unparseable)
            return _guard(create_mapping) if isinstance(body, dict) and is_kafka_request(body) else None
        return None
    m = ONE_PATH.match(req.raw_path)
    if not m or req.method not in ("GET", "PUT", "DELETE"):
        return None
    uuid = m.group("uuid")
    esm = lambda_backend(req.account, req.region or "us-east-1")._event_source_mappings.get(uuid)
    if esm is not None and not isinstance(esm, KafkaEventSourceMapping):
        return None  # SQS / Kinesis / DynamoDB: moto's own
    handler = {"GET": get_mapping, "PUT": update_mapping, "DELETE": delete_mapping}[req.method]
    return _guard(lambda r: handler(r, uuid))


def _unparseable(req: Request) -> Response:
    raise invalid("Could not parse request body into json")


def _guard(handler: Any) -> Any:
    def run(req: Request) -> Response:
        try:
            return handler(req)
        except ApiError as err:
            return render_error(err)

    return run


# ------------------------------------------------------------------------------------------------
# helpers


def _function(req: Request, name: str) -> Any:
    from moto.awslambda.exceptions import UnknownFunctionException

    backend = lambda_backend(req.account, req.region or "us-east-1")
    try:
        return backend._lambdas.get_function_by_name_or_arn_with_qualifier(name)
    except UnknownFunctionException:
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{req.region}:{req.account}:function:{name}"
        raise not_found(f"Function not found: {arn}")


def _function_arn(func: Any, name: str) -> str:
    arn = func.function_arn
    qualifier = None
    parts = name.split(":")
    if name.startswith("arn:") and len(parts) == 8:
        qualifier = parts[7]
    elif not name.startswith("arn:") and len(parts) == 2:
        qualifier = parts[1]
    if qualifier and qualifier != "$LATEST" and not arn.endswith(f":{qualifier}"):
        arn = f"{arn}:{qualifier}"
    return arn


def _int(body: dict[str, Any], key: str, low: int, high: int) -> None:
    if key in body and body[key] is not None:
        value = body[key]
        if not isinstance(value, int) or isinstance(value, bool) or not (low <= value <= high):
            raise invalid(f"1 validation error detected: Value '{value}' at '{key[0].lower() + key[1:]}' failed to satisfy constraint: Member must have value between {low} and {high}")


def _validate_common(body: dict[str, Any], msk: bool) -> None:
    _int(body, "BatchSize", 1, 10000)
    _int(body, "MaximumBatchingWindowInSeconds", 0, 300)
    _int(body, "MaximumRetryAttempts", -1, 10000)
    if body.get("MaximumRecordAgeInSeconds") not in (None, -1):
        _int(body, "MaximumRecordAgeInSeconds", 60, 604800)
    for key in NOT_FOR_KAFKA:
        if body.get(key) is not None:
            raise invalid(f"Unsupported {key} parameter for given event source mapping type.")
    wrong_group = "SelfManagedKafkaEventSourceConfig" if msk else "AmazonManagedKafkaEventSourceConfig"
    if body.get(wrong_group) is not None:
        raise invalid(f"Unsupported {wrong_group} parameter for given event source mapping type.")
    for key in ("AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"):
        group = (body.get(key) or {}).get("ConsumerGroupId")
        if group is not None and (not isinstance(group, str) or not CONSUMER_GROUP.match(group)):
            raise invalid(f"1 validation error detected: Value '{group}' at '{key[0].lower() + key[1:]}.consumerGroupId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-/*:_+=.@-]*")
    poller = body.get("ProvisionedPollerConfig")
    if poller is not None:
        _int(poller, "MinimumPollers", 1, 200)
        _int(poller, "MaximumPollers", 1, 2000)
        low, high = poller.get("MinimumPollers"), poller.get("MaximumPollers")
        if low is not None and high is not None and low > high:
            raise invalid("MinimumPollers cannot be greater than MaximumPollers.")
        group_name = poller.get("PollerGroupName")
        if group_name is not None and not re.match(r"^[a-zA-Z0-9-_]{0,128}$", group_name):
            raise invalid("PollerGroupName must match [a-zA-Z0-9-_]{0,128}.")
    for sac in body.get("SourceAccessConfigurations") or []:
        kind, uri = sac.get("Type"), sac.get("URI")
        if kind not in ACCESS_TYPES or kind == "VIRTUAL_HOST":
            raise invalid(f"Unsupported SourceAccessConfiguration Type {kind} for given event source mapping type.")
        if not isinstance(uri, str) or not ACCESS_URI.match(uri):
            raise invalid(f"1 validation error detected: Value '{uri}' at 'sourceAccessConfigurations.member.uRI' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-\\/*:_+=.@-]*")
        if kind == "VPC_SUBNET" and not re.match(r"^subnet:subnet-[0-9a-f]+$", uri):
            raise invalid(f"Invalid VPC_SUBNET URI {uri}: expected subnet:subnet-<id>.")
        if kind == "VPC_SECURITY_GROUP" and not re.match(r"^security_group:sg-[0-9a-f]+$", uri):
            raise invalid(f"Invalid VPC_SECURITY_GROUP URI {uri}: expected security_group:sg-<id>.")
    destination = body.get("DestinationConfig")
    if destination is not None:
        if (destination.get("OnSuccess") or {}).get("Destination"):
            raise invalid("Unsupported DestinationConfig parameter for given event source mapping type: OnSuccess.")
        target = (destination.get("OnFailure") or {}).get("Destination")
        if target:
            service = target.split(":")[2] if target.startswith("arn:") and target.count(":") >= 5 else None
            if target.startswith("kafka://"):
                if not re.match(r"^kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))$", target):
                    raise invalid(f"Invalid OnFailure Destination {target}.")
            elif service not in ("sqs", "sns", "s3"):
                raise invalid(f"Unsupported OnFailure Destination {target}: use an Amazon SQS queue, an Amazon SNS topic, an Amazon S3 bucket or kafka://<topic>.")


def _validate_create(body: dict[str, Any]) -> bool:
    if not body.get("FunctionName"):
        raise invalid("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null")
    msk = bool(body.get("EventSourceArn"))
    if msk and body.get("SelfManagedEventSource") is not None:
        raise invalid("Specify either EventSourceArn or SelfManagedEventSource, not both.")
    if msk:
        arn = body["EventSourceArn"]
        if not re.match(r"^arn:aws[a-zA-Z-]*:kafka:[a-z0-9-]+:\d{12}:(cluster|vpc-connection)/.+$", arn):
            raise invalid(f"Invalid EventSourceArn {arn}.")
    else:
        endpoints = ((body.get("SelfManagedEventSource") or {}).get("Endpoints")) or {}
        servers = endpoints.get("KAFKA_BOOTSTRAP_SERVERS")
        if set(endpoints) - {"KAFKA_BOOTSTRAP_SERVERS"}:
            raise invalid(f"Unsupported endpoint type: {sorted(set(endpoints) - {'KAFKA_BOOTSTRAP_SERVERS'})[0]}.")
        if not isinstance(servers, list) or not (1 <= len(servers) <= 10):
            raise invalid("SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS must list between 1 and 10 servers.")
        for server in servers:
            if not isinstance(server, str) or not ENDPOINT.match(server) or len(server) > 300:
                raise invalid(f"1 validation error detected: Value '{server}' at 'selfManagedEventSource.endpoints' failed to satisfy constraint: Member must satisfy regular expression pattern: (([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9]):[0-9]{{1,5}}")
    topics = body.get("Topics")
    if not isinstance(topics, list) or len(topics) != 1:
        raise invalid("Topics must contain exactly one topic for Kafka event sources.")
    if not isinstance(topics[0], str) or not (1 <= len(topics[0]) <= 249) or not TOPIC.match(topics[0]):
        raise invalid(f"1 validation error detected: Value '[{topics[0]}]' at 'topics' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 249, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [^.]([a-zA-Z0-9\\-_.]+)]")
    position = body.get("StartingPosition")
    if position is None and msk:
        raise invalid("StartingPosition is required for Amazon MSK event sources.")
    if position is not None and position not in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
        raise invalid(f"1 validation error detected: Value '{position}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
    if position == "AT_TIMESTAMP":
        stamp = body.get("StartingPositionTimestamp")
        if stamp is None:
            raise invalid("StartingPositionTimestamp must be provided when StartingPosition is AT_TIMESTAMP.")
        if float(stamp) > time.time() + 1:
            raise invalid("StartingPositionTimestamp cannot be in the future.")
    _validate_common(body, msk)
    target = ((body.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination") or ""
    if target.startswith("kafka://") and not body.get("ProvisionedPollerConfig"):
        raise invalid("Kafka topic on-failure destinations are supported in provisioned mode only.")
    return msk


def _same_source(esm: Any, body: dict[str, Any]) -> bool:
    if not isinstance(esm, KafkaEventSourceMapping):
        return False
    if body.get("EventSourceArn"):
        return esm.event_source_arn == body["EventSourceArn"]
    mine = set(((esm.fields.get("SelfManagedEventSource") or {}).get("Endpoints") or {}).get("KAFKA_BOOTSTRAP_SERVERS") or [])
    theirs = set((((body.get("SelfManagedEventSource") or {}).get("Endpoints")) or {}).get("KAFKA_BOOTSTRAP_SERVERS") or [])
    return esm.event_source_arn is None and mine == theirs


# ------------------------------------------------------------------------------------------------
# operations


def create_mapping(req: Request) -> Response:
    body = req.json()
    _validate_create(body)
    func = _function(req, body["FunctionName"])
    function_arn = _function_arn(func, body["FunctionName"])
    backend = lambda_backend(req.account, req.region or "us-east-1")
    for other in backend._event_source_mappings.values():
        if _same_source(other, body) and other.function_arn == function_arn and other.fields.get("Topics") == body.get("Topics"):
            source = body.get("EventSourceArn") or ",".join(body["SelfManagedEventSource"]["Endpoints"]["KAFKA_BOOTSTRAP_SERVERS"])
            raise _error(
                409,
                "ResourceConflictException",
                f"An event source mapping with event source (\"{source}\"), function (\"{function_arn}\"), topics (\"{body['Topics'][0]}\") already exists. Please update or delete the existing mapping with UUID {other.uuid}",
            )
    esm = KafkaEventSourceMapping(body, function_arn, req.region or "us-east-1", req.account)
    backend._event_source_mappings[esm.uuid] = esm
    return json_response(esm.get_configuration(state="Creating"), status=202)


def _find(req: Request, uuid: str) -> KafkaEventSourceMapping:
    esm = lambda_backend(req.account, req.region or "us-east-1")._event_source_mappings.get(uuid)
    if esm is None:
        raise not_found()
    return esm


def get_mapping(req: Request, uuid: str) -> Response:
    return json_response(_find(req, uuid).get_configuration())


def update_mapping(req: Request, uuid: str) -> Response:
    esm = _find(req, uuid)
    body = req.json()
    unknown = set(body) - UPDATABLE - {"UUID"}
    if unknown:
        raise invalid(f"Unsupported parameter(s) for UpdateEventSourceMapping of a Kafka event source: {', '.join(sorted(unknown))}.")
    if esm.state in BUSY_STATES:
        raise _error(400, "ResourceInUseException", f"Cannot update the event source mapping {uuid} because it is in use (state {esm.state}). Try again later.")
    msk = esm.event_source_arn is not None
    _validate_common(body, msk)
    for key in ("AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"):
        if key in body:
            wanted = (body.get(key) or {}).get("ConsumerGroupId")
            current = (esm.fields.get(key) or {}).get("ConsumerGroupId")
            if wanted is not None and wanted != current:
                raise invalid("ConsumerGroupId cannot be updated: it is set when the event source mapping is created.")
    answer_state = "Updating"
    if "FunctionName" in body:
        func = _function(req, body["FunctionName"])
        esm.function_arn = _function_arn(func, body["FunctionName"])
        esm.function_name = body["FunctionName"]
    for key, value in body.items():
        if key in ("FunctionName", "Enabled", "UUID", "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig"):
            continue
        if value is None:
            continue
        esm.fields[key] = value
    if "Enabled" in body and body["Enabled"] is not None:
        enabled = body["Enabled"] is not False
        if enabled != esm.enabled:
            answer_state = "Enabling" if enabled else "Disabling"
        esm.enabled = enabled
    esm.state = "Enabled" if esm.enabled else "Disabled"
    esm.state_transition_reason = "USER_INITIATED"
    esm.last_modified = now_epoch()
    return json_response(esm.get_configuration(state=answer_state), status=202)


def delete_mapping(req: Request, uuid: str) -> Response:
    esm = _find(req, uuid)
    if esm.state in BUSY_STATES:
        raise _error(400, "ResourceInUseException", f"Cannot delete the event source mapping {uuid} because it is in use (state {esm.state}). Try again later.")
    lambda_backend(req.account, req.region or "us-east-1")._event_source_mappings.pop(uuid, None)
    return json_response(esm.get_configuration(state="Deleting"), status=202)


def _marker(index: int) -> str:
    return base64.urlsafe_b64encode(f"esm-page:{index}".encode()).decode()


def _unmarker(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "esm-page":
            raise ValueError(text)
        return int(number)
    except Exception:
        raise invalid(f"Invalid Marker: {marker}")


def list_mappings(req: Request) -> Response:
    backend = lambda_backend(req.account, req.region or "us-east-1")
    esms = list(backend._event_source_mappings.values())
    source = req.q("EventSourceArn")
    if source:
        esms = [e for e in esms if getattr(e, "event_source_arn", None) == source]
    name = req.q("FunctionName")
    if name:
        try:
            wanted = _function_arn(_function(req, name), name)
        except ApiError:
            wanted = None
        esms = [e for e in esms if wanted is not None and e.function_arn == wanted]
    max_items = req.q("MaxItems")
    if max_items is not None:
        try:
            size = int(max_items)
        except ValueError:
            raise invalid(f"1 validation error detected: Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must be a number")
        if not 1 <= size <= 10000:
            raise invalid(f"1 validation error detected: Value '{size}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000")
    else:
        size = 100
    size = min(size, 100)  # "ListEventSourceMappings returns a maximum of 100 items in each response"
    start = _unmarker(req.q("Marker")) if req.q("Marker") else 0
    page = esms[start:start + size]
    following = start + size
    return json_response({
        "EventSourceMappings": [e.get_configuration() for e in page],
        "NextMarker": _marker(following) if following < len(esms) else None,
    })
