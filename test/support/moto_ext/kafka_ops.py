"""Kafka (MSK) operations moto 5.2.1 lacks, per botocore kafka 2018-11-14 (rest-json, lowerCamel
member names on the wire):

  GetBootstrapBrokers           GET    /v1/clusters/{clusterArn}/bootstrap-brokers
  ListScramSecrets              GET    /v1/clusters/{clusterArn}/scram-secrets   ?maxResults&nextToken
  BatchAssociateScramSecret     POST   /v1/clusters/{clusterArn}/scram-secrets   {secretArnList}
  BatchDisassociateScramSecret  PATCH  /v1/clusters/{clusterArn}/scram-secrets   {secretArnList}
  CreateTopic                   POST   /v1/clusters/{clusterArn}/topics          {topicName, partitionCount, replicationFactor, configs}
  ListTopics                    GET    /v1/clusters/{clusterArn}/topics          ?topicNameFilter&maxResults&nextToken
  DescribeTopic                 GET    /v1/clusters/{clusterArn}/topics/{topicName}
  DeleteTopic                   DELETE /v1/clusters/{clusterArn}/topics/{topicName}
  UpdateSecurity                PATCH  /v1/clusters/{clusterArn}/security        {currentVersion, clientAuthentication?, encryptionInfo?}
  UpdateConnectivity            PUT    /v1/clusters/{clusterArn}/connectivity    {currentVersion, connectivityInfo}
  CreateVpcConnection           POST   /v1/vpc-connection                        {targetClusterArn, authentication, vpcId, clientSubnets, securityGroups, tags}
  DescribeVpcConnection         GET    /v1/vpc-connection/{arn}

A managed VPC connection is the client account's side of multi-VPC private connectivity to another
account's cluster (MSK mvpc-cross-account-user-action): its ARN is
arn:aws:kafka:<region>:<client account>:vpc-connection/<cluster account>/<cluster name>/<uuid>. The
target cluster lives in another account, so it is not looked up here; the authentication must be
one multi-VPC connectivity supports (SASL_IAM, SASL_SCRAM, TLS), and at least two client subnets are
needed. CreateVpcConnection answers State CREATING (with clientSubnets); DescribeVpcConnection
answers AVAILABLE afterwards (with subnets), as the connection does once MSK has built its endpoints.

State lives on moto's own cluster objects (`cluster.topics`, `cluster.scram_secrets`) and kafka
backend (`vpc_connections`), so a moto reset or DeleteCluster drops it.

Bootstrap brokers are derived from the cluster the way MSK opens listeners (MSK developer guide,
"Port information"); a listener that is off has no field at all in the answer:
  BootstrapBrokerString           9092  ClientBroker PLAINTEXT or TLS_PLAINTEXT, and unauthenticated access on
  BootstrapBrokerStringTls        9094  ClientBroker TLS or TLS_PLAINTEXT, and unauthenticated access or mTLS on
  BootstrapBrokerStringSaslScram  9096  SASL/SCRAM on
  BootstrapBrokerStringSaslIam    9098  IAM on
  BootstrapBrokerStringPublic*    9194 / 9196 / 9198 for TLS / SCRAM / IAM when PublicAccess.Type is
                                        SERVICE_PROVIDED_EIPS
  Serverless clusters: BootstrapBrokerStringSaslIam = boot-<id>.c2.kafka-serverless.<region>.amazonaws.com:9098
Up to three brokers are listed (b-1, b-2, b-3), as MSK does.

BatchAssociateScramSecret applies MSK's rules per secret and reports a refusal in
`UnprocessedScramSecrets` (ErrorCode `InvalidSecretArn`, as MSK does), not as an exception: the
secret must exist in the cluster's account and region, its name must start with `AmazonMSK_`, and it
must be encrypted with a customer managed KMS key (not the default `aws/secretsmanager` key).

Topic APIs work on provisioned clusters with Kafka >= 3.6.0 (BadRequestException otherwise, as the
MSK topic docs say). `Configs` is Base64 text: CreateTopic accepts Base64 JSON or Base64 Java
properties; DescribeTopic answers Base64 JSON of the effective configuration (Kafka defaults
overlaid with what was set).

UpdateSecurity and UpdateConnectivity check `currentVersion` against the cluster's (BadRequestException
when it is not the current one, as MSK's optimistic locking does), answer {clusterArn,
clusterOperationArn} and give the cluster a new version. UpdateSecurity merges per mode: a mode the
request names is set, one it leaves out stays as it was; it refuses a result with every client
authentication mode off, and of encryption only `encryptionInTransit.clientBroker` (the MSK
developer guide, "Updating cluster security": "You can only update the client-broker encryption
setting"). UpdateConnectivity sets `publicAccess` and `vpcConnectivity` on the broker node group's
`connectivityInfo`. Simplified: the update takes effect at once (MSK runs it as a cluster operation
with the cluster UPDATING for minutes); MSK's preconditions for public access are not enforced.
"""
from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from .http import ApiError, Request, Response, json_response, rest_json_error
from .patches import broker_hosts, normalise_client_authentication, short_id

PREFIX = re.compile(r"^/v1/clusters/(?P<arn>[^/]+)/(?P<rest>bootstrap-brokers|scram-secrets|security|connectivity|topics(?:/(?P<topic>[^/]+))?)/?$")

# Kafka's own topic defaults (the ones esm-doctor and users look at).
TOPIC_DEFAULTS = {
    "cleanup.policy": "delete",
    "compression.type": "producer",
    "max.message.bytes": "1048588",
    "min.insync.replicas": "2",
    "retention.bytes": "-1",
    "retention.ms": "604800000",
    "segment.bytes": "1073741824",
}


VPC_CONNECTION = re.compile(r"^/v1/vpc-connection(?:/(?P<arn>[^/]+))?/?$")
CLUSTER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:kafka:[a-z0-9-]+:(?P<account>\d{12}):cluster/(?P<name>[^/]+)/(?P<uuid>[^/]+)$")


def match(req: Request) -> Any:
    if req.service != "kafka":
        return None
    v = VPC_CONNECTION.match(req.raw_path)
    if v:
        arn = unquote(v.group("arn")) if v.group("arn") else None
        handler = create_vpc_connection if (req.method == "POST" and arn is None) else describe_vpc_connection if (req.method == "GET" and arn) else None
        if handler is None:
            return None

        def run_vpc(r: Request) -> Response:
            try:
                return handler(r, arn) if arn else handler(r)
            except ApiError as err:
                return rest_json_error(err)

        return run_vpc
    m = PREFIX.match(req.raw_path)
    if not m:
        return None
    rest = m.group("rest")
    routes = {
        ("GET", "bootstrap-brokers"): get_bootstrap_brokers,
        ("GET", "scram-secrets"): list_scram_secrets,
        ("POST", "scram-secrets"): batch_associate_scram_secret,
        ("PATCH", "scram-secrets"): batch_disassociate_scram_secret,
        ("GET", "topics"): list_topics,
        ("POST", "topics"): create_topic,
        ("PATCH", "security"): update_security,
        ("PUT", "connectivity"): update_connectivity,
    }
    if m.group("topic") is not None:
        handler = {"GET": describe_topic, "DELETE": delete_topic}.get(req.method)
    else:
        handler = routes.get((req.method, rest))
    if handler is None:
        return None
    arn = unquote(m.group("arn"))
    topic = unquote(m.group("topic")) if m.group("topic") is not None else None

    def run(r: Request) -> Response:
        try:
            return handler(r, arn, topic) if topic is not None else handler(r, arn)
        except ApiError as err:
            return rest_json_error(err)

    return run


# ------------------------------------------------------------------------------------------------


def _backend(req: Request) -> Any:
    from moto.kafka.models import kafka_backends

    return kafka_backends[req.account][req.region or "us-east-1"]


def _cluster(req: Request, arn: str) -> Any:
    cluster = _backend(req).clusters.get(arn)
    if cluster is None:
        raise ApiError(404, "NotFoundException", f"The requested resource could not be found: cluster {arn} does not exist.")
    return cluster


def _bad_request(message: str, parameter: str | None = None) -> ApiError:
    return ApiError(400, "BadRequestException", message, **({"invalidParameter": parameter} if parameter else {}))


def _page(items: list[Any], req: Request, default: int = 100) -> tuple[list[Any], str | None]:
    try:
        start = int(base64.b64decode(req.q("nextToken") or "MA==").decode() or 0)
        size = int(req.q("maxResults") or default)
    except ValueError:
        raise _bad_request("The nextToken or maxResults parameter is not valid.", "nextToken")
    if size < 1:
        raise _bad_request("maxResults must be at least 1.", "maxResults")
    page = items[start:start + size]
    nxt = start + size
    return page, (base64.b64encode(str(nxt).encode()).decode() if nxt < len(items) else None)


# ------------------------------------------------------------------------------------------------
# GetBootstrapBrokers


def bootstrap_brokers(cluster: Any) -> dict[str, str]:
    if cluster.cluster_type == "SERVERLESS":
        return {"bootstrapBrokerStringSaslIam": f"boot-{short_id(cluster.cluster_id, 8)}.c2.kafka-serverless.{cluster.region_name}.amazonaws.com:9098"}
    auth = normalise_client_authentication(cluster.client_authentication)
    client_broker = ((cluster.encryption_info or {}).get("encryptionInTransit") or {}).get("clientBroker") or "TLS_PLAINTEXT"
    plaintext_ok = client_broker in ("PLAINTEXT", "TLS_PLAINTEXT")
    tls_ok = client_broker in ("TLS", "TLS_PLAINTEXT")
    unauth = auth["unauthenticated"]["enabled"]
    mtls = auth["tls"]["enabled"]
    scram = auth["sasl"]["scram"]["enabled"]
    iam = auth["sasl"]["iam"]["enabled"]
    hosts = broker_hosts(cluster)

    def listing(port: int, public: bool = False) -> str:
        return ",".join(f"{h}:{port}" for h in (broker_hosts(cluster, public=True) if public else hosts))

    out: dict[str, str] = {}
    if plaintext_ok and unauth:
        out["bootstrapBrokerString"] = listing(9092)
    if tls_ok and (unauth or mtls):
        out["bootstrapBrokerStringTls"] = listing(9094)
    if tls_ok and scram:
        out["bootstrapBrokerStringSaslScram"] = listing(9096)
    if tls_ok and iam:
        out["bootstrapBrokerStringSaslIam"] = listing(9098)
    public = (((cluster.broker_node_group_info or {}).get("connectivityInfo") or {}).get("publicAccess") or {}).get("type")
    if public == "SERVICE_PROVIDED_EIPS":
        if tls_ok and mtls:
            out["bootstrapBrokerStringPublicTls"] = listing(9194, public=True)
        if tls_ok and scram:
            out["bootstrapBrokerStringPublicSaslScram"] = listing(9196, public=True)
        if tls_ok and iam:
            out["bootstrapBrokerStringPublicSaslIam"] = listing(9198, public=True)
    return out


def get_bootstrap_brokers(req: Request, arn: str) -> Response:
    return json_response(bootstrap_brokers(_cluster(req, arn)))


# ------------------------------------------------------------------------------------------------
# SCRAM secrets


def _secret_arn_list(req: Request) -> list[str]:
    body = req.json()
    arns = body.get("secretArnList")
    if not isinstance(arns, list) or not arns:
        raise _bad_request("The request is missing the required parameter secretArnList.", "secretArnList")
    if len(arns) > 10:
        raise _bad_request("You can associate or disassociate at most 10 secrets in one request.", "secretArnList")
    return [str(a) for a in arns]


def _refusal(arn: str, message: str) -> dict[str, str]:
    return {"errorCode": "InvalidSecretArn", "errorMessage": message, "secretArn": arn}


def batch_associate_scram_secret(req: Request, arn: str) -> Response:
    from moto.secretsmanager.models import secretsmanager_backends

    cluster = _cluster(req, arn)
    arns = _secret_arn_list(req)
    if cluster.cluster_type == "SERVERLESS" or not normalise_client_authentication(cluster.client_authentication)["sasl"]["scram"]["enabled"]:
        raise _bad_request("SASL/SCRAM authentication is not enabled on this cluster. Enable it before associating secrets.", "clusterArn")
    secrets = secretsmanager_backends[req.account][cluster.region_name].secrets
    unprocessed = []
    for secret_arn in arns:
        secret = secrets.get(secret_arn) if secret_arn.startswith(f"arn:aws:secretsmanager:{cluster.region_name}:{req.account}:") else None
        if secret is None or getattr(secret, "deleted_date", None):
            unprocessed.append(_refusal(secret_arn, "Amazon MSK wasn't able to access the provided secret."))
        elif not secret.name.startswith("AmazonMSK_"):
            unprocessed.append(_refusal(secret_arn, "The provided secret arn cannot be used with Amazon MSK. Secret names must have the prefix 'AmazonMSK_'."))
        elif secret.kms_key_id in (None, "", "alias/aws/secretsmanager"):
            unprocessed.append(_refusal(secret_arn, "The provided secret is encrypted with the default key. You can't use the default key with Amazon MSK; use a customer managed key."))
        elif secret.arn not in cluster.scram_secrets:
            cluster.scram_secrets.append(secret.arn)
    return json_response({"clusterArn": cluster.arn, "unprocessedScramSecrets": unprocessed})


def batch_disassociate_scram_secret(req: Request, arn: str) -> Response:
    cluster = _cluster(req, arn)
    unprocessed = []
    for secret_arn in _secret_arn_list(req):
        if secret_arn in cluster.scram_secrets:
            cluster.scram_secrets.remove(secret_arn)
        else:
            unprocessed.append(_refusal(secret_arn, "The provided secret is not associated with this cluster."))
    return json_response({"clusterArn": cluster.arn, "unprocessedScramSecrets": unprocessed})


def list_scram_secrets(req: Request, arn: str) -> Response:
    cluster = _cluster(req, arn)
    page, token = _page(list(cluster.scram_secrets), req)
    return json_response({"secretArnList": page, "nextToken": token})


# ------------------------------------------------------------------------------------------------
# Topics


def _topic_capable(cluster: Any) -> None:
    if cluster.cluster_type == "SERVERLESS":
        raise _bad_request("Topic operations are not supported for MSK Serverless clusters.", "clusterArn")
    version = str(cluster.kafka_version or "0")
    parts = [int(p) if p.isdigit() else 0 for p in re.split(r"[.]", version.split(".tiered")[0])[:3]]
    while len(parts) < 3:
        parts.append(0)
    if tuple(parts) < (3, 6, 0):
        raise _bad_request(f"Topic operations require Apache Kafka version 3.6.0 or later; this cluster runs {version}.", "clusterArn")


def _topic_arn(cluster: Any, name: str) -> str:
    # cluster ARN: arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>  ->  topic/<name>/<uuid>/<topic>
    head, _, tail = cluster.arn.partition(":cluster/")
    return f"{head}:topic/{tail}/{name}"


def _decode_configs(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        raw = base64.b64decode(text, validate=True).decode("utf-8")
    except Exception:
        raise _bad_request("configs must be Base64-encoded.", "configs")
    raw = raw.strip()
    if raw.startswith("{"):
        try:
            return {str(k): str(v) for k, v in json.loads(raw).items()}
        except ValueError:
            raise _bad_request("configs is not valid JSON.", "configs")
    out = {}
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("!"):
            continue
        parts = re.split(r"\s*[=:]\s*", line, maxsplit=1)
        out[parts[0]] = parts[1] if len(parts) > 1 else ""
    return out


TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


def create_topic(req: Request, arn: str) -> Response:
    cluster = _cluster(req, arn)
    _topic_capable(cluster)
    body = req.json()
    name = body.get("topicName")
    if not isinstance(name, str) or not TOPIC_NAME.match(name) or name in (".", ".."):
        raise _bad_request("topicName is missing or is not a valid Kafka topic name.", "topicName")
    for field in ("partitionCount", "replicationFactor"):
        if not isinstance(body.get(field), int) or body[field] < 1:
            raise _bad_request(f"{field} is required and must be a positive integer.", field)
    if body["replicationFactor"] > int(cluster.number_of_broker_nodes or 1):
        raise ApiError(400, "KafkaRequestException", f"Replication factor: {body['replicationFactor']} larger than available brokers: {cluster.number_of_broker_nodes}.")
    if name in cluster.topics:
        raise ApiError(409, "TopicExistsException", f"Topic '{name}' already exists.")
    configs = _decode_configs(body.get("configs"))
    cluster.topics[name] = {
        "topicArn": _topic_arn(cluster, name),
        "topicName": name,
        "partitionCount": body["partitionCount"],
        "replicationFactor": body["replicationFactor"],
        "configs": configs,
        "status": "ACTIVE",
    }
    return json_response({"topicArn": cluster.topics[name]["topicArn"], "topicName": name, "status": "CREATING"})


def describe_topic(req: Request, arn: str, name: str) -> Response:
    cluster = _cluster(req, arn)
    _topic_capable(cluster)
    topic = cluster.topics.get(name)
    if topic is None:
        raise ApiError(404, "NotFoundException", f"Topic {name} does not exist on cluster {cluster.cluster_name}.")
    effective = {**TOPIC_DEFAULTS, **topic["configs"]}
    return json_response({
        "topicArn": topic["topicArn"],
        "topicName": name,
        "replicationFactor": topic["replicationFactor"],
        "partitionCount": topic["partitionCount"],
        "configs": base64.b64encode(json.dumps(effective, sort_keys=True).encode()).decode(),
        "status": topic["status"],
    })


def delete_topic(req: Request, arn: str, name: str) -> Response:
    cluster = _cluster(req, arn)
    _topic_capable(cluster)
    topic = cluster.topics.pop(name, None)
    if topic is None:
        raise ApiError(404, "NotFoundException", f"Topic {name} does not exist on cluster {cluster.cluster_name}.")
    return json_response({"topicArn": topic["topicArn"], "topicName": name, "status": "DELETING"})


def list_topics(req: Request, arn: str) -> Response:
    cluster = _cluster(req, arn)
    _topic_capable(cluster)
    prefix = req.q("topicNameFilter") or ""
    topics = [t for n, t in sorted(cluster.topics.items()) if n.startswith(prefix)]
    page, token = _page(topics, req)
    return json_response({
        "topics": [
            {
                "topicArn": t["topicArn"],
                "topicName": t["topicName"],
                "replicationFactor": t["replicationFactor"],
                "partitionCount": t["partitionCount"],
                "outOfSyncReplicaCount": 0,
            }
            for t in page
        ],
        "nextToken": token,
    })


# ------------------------------------------------------------------------------------------------
# UpdateSecurity / UpdateConnectivity


def _provisioned_at_version(req: Request, arn: str, body: dict[str, Any]) -> Any:
    cluster = _cluster(req, arn)
    version = body.get("currentVersion")
    if not isinstance(version, str) or not version:
        raise _bad_request("currentVersion is a required parameter.", "currentVersion")
    if cluster.cluster_type == "SERVERLESS":
        raise _bad_request("This operation is not supported for serverless clusters.", "clusterArn")
    if version != cluster.current_version:
        raise _bad_request(f"The specified currentVersion {version} doesn't match the current version of the cluster.", "currentVersion")
    return cluster


def _operation(cluster: Any) -> Response:
    """A new cluster version, and the operation's ARN as MSK forms it: cluster-operation/<name>/<cluster uuid>-<n>/<operation uuid>
    (the update-security and update-connectivity examples in the MSK developer guide)."""
    cluster.current_version = "K" + uuid.uuid4().hex[:13].upper()
    operation = cluster.arn.replace(":cluster/", ":cluster-operation/", 1) + f"/{uuid.uuid4()}"
    return json_response({"clusterArn": cluster.arn, "clusterOperationArn": operation})


def update_security(req: Request, arn: str) -> Response:
    body = req.json()
    cluster = _provisioned_at_version(req, arn, body)
    requested = body.get("clientAuthentication")
    encryption = body.get("encryptionInfo")
    if requested is None and encryption is None:
        raise _bad_request("Specify clientAuthentication or encryptionInfo: there is nothing to update.", "clientAuthentication")
    auth = normalise_client_authentication(cluster.client_authentication)
    if isinstance(requested, dict):
        sasl = requested.get("sasl") or {}
        for mode in ("scram", "iam"):
            if isinstance(sasl.get(mode), dict) and "enabled" in sasl[mode]:
                auth["sasl"][mode]["enabled"] = bool(sasl[mode]["enabled"])
        tls = requested.get("tls")
        if isinstance(tls, dict):
            if "certificateAuthorityArnList" in tls:
                auth["tls"]["certificateAuthorityArnList"] = list(tls["certificateAuthorityArnList"] or [])
            if "enabled" in tls:
                auth["tls"]["enabled"] = bool(tls["enabled"])
            elif tls.get("certificateAuthorityArnList"):
                auth["tls"]["enabled"] = True
        unauth = requested.get("unauthenticated")
        if isinstance(unauth, dict) and "enabled" in unauth:
            auth["unauthenticated"]["enabled"] = bool(unauth["enabled"])
        on = [auth["sasl"]["scram"]["enabled"], auth["sasl"]["iam"]["enabled"], auth["tls"]["enabled"], auth["unauthenticated"]["enabled"]]
        if not any(on):
            raise _bad_request("At least one client authentication mode must stay on.", "clientAuthentication")
    if isinstance(encryption, dict):
        if "encryptionAtRest" in encryption or "inCluster" in (encryption.get("encryptionInTransit") or {}):
            raise _bad_request("You can only update the client-broker encryption setting.", "encryptionInfo")
        client_broker = (encryption.get("encryptionInTransit") or {}).get("clientBroker")
        if client_broker not in ("TLS", "TLS_PLAINTEXT", "PLAINTEXT"):
            raise _bad_request("encryptionInTransit.clientBroker must be TLS, TLS_PLAINTEXT or PLAINTEXT.", "encryptionInfo")
        current = json.loads(json.dumps(cluster.encryption_info or {}))
        current.setdefault("encryptionInTransit", {})["clientBroker"] = client_broker
        cluster.encryption_info = current
    if isinstance(requested, dict):
        cluster.client_authentication = auth
    return _operation(cluster)


def update_connectivity(req: Request, arn: str) -> Response:
    body = req.json()
    cluster = _provisioned_at_version(req, arn, body)
    info = body.get("connectivityInfo")
    if not isinstance(info, dict) or not info:
        raise _bad_request("connectivityInfo is a required parameter.", "connectivityInfo")
    public = info.get("publicAccess")
    if isinstance(public, dict) and public.get("type") not in ("DISABLED", "SERVICE_PROVIDED_EIPS"):
        raise _bad_request("publicAccess.type must be DISABLED or SERVICE_PROVIDED_EIPS.", "connectivityInfo")
    group = cluster.broker_node_group_info = json.loads(json.dumps(cluster.broker_node_group_info or {}))
    connectivity = group.setdefault("connectivityInfo", {})
    for key in ("publicAccess", "vpcConnectivity"):
        if isinstance(info.get(key), dict):
            connectivity[key] = info[key]
    return _operation(cluster)


# ------------------------------------------------------------------------------------------------
# Managed VPC connections (multi-VPC private connectivity, the client account's side)


def _connections(req: Request) -> dict[str, dict[str, Any]]:
    """ARN -> the connection as DescribeVpcConnection answers it, kept on moto's kafka backend so a reset drops it."""
    backend = _backend(req)
    if not hasattr(backend, "vpc_connections"):
        backend.vpc_connections = {}
    return backend.vpc_connections


def create_vpc_connection(req: Request) -> Response:
    body = req.json() or {}
    target = body.get("targetClusterArn") or ""
    cluster = CLUSTER_ARN.match(target)
    if not cluster:
        raise _bad_request(f"The targetClusterArn {target!r} is not a cluster ARN.", "targetClusterArn")
    auth = body.get("authentication")
    if auth not in ("SASL_IAM", "SASL_SCRAM", "TLS"):
        raise _bad_request("authentication must be one of SASL_IAM, SASL_SCRAM, TLS.", "authentication")
    subnets = body.get("clientSubnets") or []
    groups = body.get("securityGroups") or []
    if not body.get("vpcId"):
        raise _bad_request("vpcId is required.", "vpcId")
    if len(subnets) < 2:
        raise _bad_request("Specify at least two client subnets.", "clientSubnets")
    if not groups:
        raise _bad_request("Specify at least one security group.", "securityGroups")
    uuid = f"{short_id(target + body['vpcId'] + ','.join(subnets), 8)}-{short_id(auth, 4)}-4c8d-9e7f-{short_id(','.join(groups), 12)}-3"
    arn = f"arn:aws:kafka:{req.region or 'us-east-1'}:{req.account}:vpc-connection/{cluster.group('account')}/{cluster.group('name')}/{uuid}"
    created = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    tags = body.get("tags") or {}
    _connections(req)[arn] = {
        "vpcConnectionArn": arn,
        "targetClusterArn": target,
        "state": "AVAILABLE",
        "authentication": auth,
        "vpcId": body["vpcId"],
        "subnets": list(subnets),
        "securityGroups": list(groups),
        "creationTime": created,
        "tags": tags,
    }
    return json_response({
        "vpcConnectionArn": arn,
        "state": "CREATING",
        "authentication": auth,
        "vpcId": body["vpcId"],
        "clientSubnets": list(subnets),
        "securityGroups": list(groups),
        "creationTime": created,
        "tags": tags,
    })


def describe_vpc_connection(req: Request, arn: str) -> Response:
    conn = _connections(req).get(arn)
    if conn is None:
        raise ApiError(404, "NotFoundException", f"The requested resource could not be found: VPC connection {arn} does not exist.")
    return json_response(conn)
