"""Fixes to what moto 5.2.1 already answers, where its answer differs from AWS in a way the JS SDK
or esm-doctor notices. Each patch wraps a moto model method and keeps moto's own state, so
`POST /moto-api/reset` still clears everything.

Kafka (kafka 2018-11-14)
  * Cluster ARNs take the AWS form `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>-<n>`
    (moto: `cluster/<uuid>`, which no client can parse the cluster name out of).
  * `CreationTime` carries a time zone (`2026-11-21T08:36:14.123Z`): the model says iso8601 and the
    JS SDK rejects a timestamp without an offset.
  * CreateClusterV2 keeps `ClientAuthentication`, `EncryptionInfo`, `ConfigurationInfo`, monitoring
    and logging (moto dropped them), and the cluster is `ACTIVE` once created (the create answer
    itself says `CREATING`, as AWS does).
  * DescribeCluster(V2) and DeleteCluster answer `NotFoundException` (404) for an unknown ARN
    instead of a 500, and the description is filled in the way MSK fills it: the VPC's default
    security group when none was given, `PublicAccess.Type = DISABLED`, explicit `Enabled: false`
    for the auth modes that are off (unauthenticated access on when no mode was chosen), the
    default `EncryptionInTransit` (`TLS_PLAINTEXT`, in-cluster on: the model's documented
    defaults), no placeholder `StateInfo` / `ActiveOperationArn` / `"string"` values.

EC2 (ec2 2016-11-15)
  * CreateNatGateway without `ConnectivityType` stores `public` (moto stored nothing, so
    DescribeNatGateways omitted the field AWS always returns).

KMS (kms 2014-11-01)
  * The keys behind the reserved aliases (`alias/aws/secretsmanager`, ...) are AWS managed:
    DescribeKey says `KeyManager: AWS` (moto said CUSTOMER).

IAM (iam 2010-05-08)
  * Unless moto is asked to load every AWS managed policy (MOTO_IAM_LOAD_MANAGED_POLICIES=true,
    slow: ~1500 policies per reset), the Lambda-related ones are loaded from moto's own copy, so a
    role can attach `arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole` as in AWS.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

_applied = False

# AWS managed policies loaded when moto does not load them all (names as in moto's data file).
CURATED_AWS_MANAGED_POLICIES = (
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaMSKExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaENIManagementAccess",
    "AWSLambdaExecute",
    "AWSLambdaRole",
    "AWSLambda_ReadOnlyAccess",
    "AWSLambda_FullAccess",
    "SecretsManagerReadWrite",
    "AmazonMSKReadOnlyAccess",
    "AmazonMSKFullAccess",
    "ReadOnlyAccess",
    "AdministratorAccess",
)


def iso_now() -> str:
    """An RFC 3339 UTC timestamp with milliseconds, as AWS's restJson services print them."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def short_id(seed: str, length: int = 6) -> str:
    """A stable lower-case token derived from an id (broker host names, ZooKeeper names)."""
    return hashlib.sha1(seed.encode()).hexdigest()[:length]


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _patch_kafka()
    _patch_ec2()
    _patch_kms()
    _patch_iam()
    _patch_lambda_function()


# ------------------------------------------------------------------------------------------------
# Kafka


def _patch_kafka() -> None:
    from moto.kafka import models
    from moto.kafka.exceptions import NotFoundException
    from moto.utilities.utils import get_partition

    class NotFound404(NotFoundException):
        code = 404

    Cluster = models.FakeKafkaCluster
    Backend = models.KafkaBackend

    def _generate_arn(self: Any) -> str:
        # AWS: cluster/<name>/<uuid>-<n>; serverless clusters share the form (suffix -s<n>).
        suffix = "-s1" if self.cluster_type == "SERVERLESS" else "-2"
        partition = get_partition(self.region_name)
        return f"arn:{partition}:kafka:{self.region_name}:{self.account_id}:cluster/{self.cluster_name}/{self.cluster_id}{suffix}"

    Cluster._generate_arn = _generate_arn

    original_init = Cluster.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.creation_time = iso_now()
        self.state_info = None  # set by the control endpoint to simulate a broken cluster
        self.topics = {}  # name -> topic dict (kafka_ops)
        self.scram_secrets = []  # associated secret ARNs (kafka_ops)

    Cluster.__init__ = __init__

    original_create_v2 = Backend.create_cluster_v2

    def create_cluster_v2(self: Any, cluster_name: str, tags: Any, provisioned: Any, serverless: Any) -> Any:
        result = original_create_v2(self, cluster_name=cluster_name, tags=tags, provisioned=provisioned, serverless=serverless)
        cluster = self.clusters[result[0]]
        if provisioned:
            cluster.client_authentication = provisioned.get("clientAuthentication")
            cluster.encryption_info = provisioned.get("encryptionInfo")
            cluster.configuration_info = provisioned.get("configurationInfo")
            cluster.enhanced_monitoring = provisioned.get("enhancedMonitoring") or "DEFAULT"
            cluster.open_monitoring = provisioned.get("openMonitoring")
            cluster.logging_info = provisioned.get("loggingInfo")
        # The answer says CREATING (as AWS does); the cluster is ready for the next call.
        cluster.state = "ACTIVE"
        return result

    Backend.create_cluster_v2 = create_cluster_v2

    original_create_v1 = Backend.create_cluster

    def create_cluster(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_create_v1(self, *args, **kwargs)
        self.clusters[result[0]].state = "ACTIVE"
        return result

    Backend.create_cluster = create_cluster

    def _require(self: Any, cluster_arn: str) -> Any:
        cluster = self.clusters.get(cluster_arn)
        if cluster is None:
            raise NotFound404(f"The requested resource could not be found: cluster {cluster_arn} does not exist.")
        return cluster

    Backend.moto_ext_require_cluster = _require

    original_describe_v2 = Backend.describe_cluster_v2

    def describe_cluster_v2(self: Any, cluster_arn: str) -> dict[str, Any]:
        cluster = _require(self, cluster_arn)
        info = original_describe_v2(self, cluster_arn)
        return _normalise_cluster_info(self, cluster, info)

    Backend.describe_cluster_v2 = describe_cluster_v2

    original_describe_v1 = Backend.describe_cluster

    def describe_cluster(self: Any, cluster_arn: str) -> dict[str, Any]:
        cluster = _require(self, cluster_arn)
        info = original_describe_v1(self, cluster_arn)
        v2 = _normalise_cluster_info(self, cluster, original_describe_v2(self, cluster_arn))
        if "provisioned" in v2:
            for key in ("brokerNodeGroupInfo", "clientAuthentication", "encryptionInfo", "currentBrokerSoftwareInfo",
                        "openMonitoring", "loggingInfo", "zookeeperConnectString", "zookeeperConnectStringTls"):
                if key in v2["provisioned"]:
                    info[key] = v2["provisioned"][key]
        for key in ("activeOperationArn", "stateInfo"):
            info.pop(key, None)
            if key in v2:
                info[key] = v2[key]
        return info

    Backend.describe_cluster = describe_cluster

    original_delete = Backend.delete_cluster

    def delete_cluster(self: Any, cluster_arn: str, current_version: str) -> Any:
        _require(self, cluster_arn)
        arn, _state = original_delete(self, cluster_arn, current_version)
        return arn, "DELETING"

    Backend.delete_cluster = delete_cluster


def _default_security_groups(account: str, region: str, subnet_ids: list[str]) -> list[str]:
    """MSK uses the VPC's default security group when the cluster was created without one."""
    from moto.ec2.models import ec2_backends

    try:
        ec2 = ec2_backends[account][region]
        vpc_id = ec2.get_subnet(subnet_ids[0]).vpc_id
        group = ec2.get_default_security_group(vpc_id)
        return [group.id] if group else []
    except Exception:  # unknown subnet: AWS would have refused the cluster; keep the answer usable
        return []


def _enabled(section: Any) -> bool:
    return bool(isinstance(section, dict) and section.get("enabled"))


def normalise_client_authentication(auth: dict[str, Any] | None) -> dict[str, Any]:
    """Provisioned ClientAuthentication as MSK describes it: every mode present, on or off."""
    auth = auth or {}
    sasl = auth.get("sasl") or {}
    tls = auth.get("tls") or {}
    scram_on = _enabled(sasl.get("scram"))
    iam_on = _enabled(sasl.get("iam"))
    tls_on = _enabled(tls) or bool(tls.get("certificateAuthorityArnList")) and tls.get("enabled") is not False
    unauth = auth.get("unauthenticated")
    unauth_on = _enabled(unauth) if isinstance(unauth, dict) and "enabled" in unauth else not (scram_on or iam_on or tls_on)
    return {
        "sasl": {"scram": {"enabled": scram_on}, "iam": {"enabled": iam_on}},
        "tls": {"certificateAuthorityArnList": list(tls.get("certificateAuthorityArnList") or []), "enabled": tls_on},
        "unauthenticated": {"enabled": unauth_on},
    }


def normalise_encryption(account: str, region: str, enc: dict[str, Any] | None) -> dict[str, Any]:
    enc = json.loads(json.dumps(enc or {}))
    transit = enc.setdefault("encryptionInTransit", {})
    transit.setdefault("clientBroker", "TLS_PLAINTEXT")
    transit.setdefault("inCluster", True)
    rest = enc.setdefault("encryptionAtRest", {})
    # The AWS managed key aws/kafka, when the cluster was created without a CMK.
    rest.setdefault("dataVolumeKMSKeyId", f"arn:aws:kms:{region}:{account}:key/{short_id(account + region + 'aws/kafka', 8)}-0000-4000-8000-{short_id(region, 12)}")
    return enc


def broker_hosts(cluster: Any, public: bool = False) -> list[str]:
    """b-N.<name>.<id>.c<k>.kafka.<region>.amazonaws.com, as MSK names brokers."""
    name = "".join(ch for ch in cluster.cluster_name.lower() if ch.isalnum())[:32] or "cluster"
    token = short_id(cluster.cluster_id)
    count = max(1, min(int(cluster.number_of_broker_nodes or 1), 3))
    infix = "-public" if public else ""
    return [f"b-{i}{infix}.{name}.{token}.c2.kafka.{cluster.region_name}.amazonaws.com" for i in range(1, count + 1)]


def _normalise_cluster_info(backend: Any, cluster: Any, info: dict[str, Any]) -> dict[str, Any]:
    account, region = backend.account_id, backend.region_name
    if not cluster.active_operation_arn:
        info.pop("activeOperationArn", None)
    if cluster.state_info:
        info["stateInfo"] = cluster.state_info
    else:
        info.pop("stateInfo", None)
    info["creationTime"] = cluster.creation_time
    prov = info.get("provisioned")
    if prov is not None:
        group = json.loads(json.dumps(prov.get("brokerNodeGroupInfo") or {}))
        group.setdefault("brokerAZDistribution", "DEFAULT")
        if not group.get("securityGroups"):
            group["securityGroups"] = _default_security_groups(account, region, group.get("clientSubnets") or [])
        group.setdefault("storageInfo", {"ebsStorageInfo": {"volumeSize": 100}})
        connectivity = group.setdefault("connectivityInfo", {})
        connectivity.setdefault("publicAccess", {"type": "DISABLED"})
        prov["brokerNodeGroupInfo"] = group
        prov["clientAuthentication"] = normalise_client_authentication(cluster.client_authentication)
        prov["encryptionInfo"] = normalise_encryption(account, region, cluster.encryption_info)
        software = prov.get("currentBrokerSoftwareInfo") or {}
        if not cluster.configuration_info:
            software.pop("configurationArn", None)
            software.pop("configurationRevision", None)
        prov["currentBrokerSoftwareInfo"] = software
        prov.setdefault("enhancedMonitoring", "DEFAULT")
        if not cluster.open_monitoring:
            prov["openMonitoring"] = {"prometheus": {"jmxExporter": {"enabledInBroker": False}, "nodeExporter": {"enabledInBroker": False}}}
        if not cluster.logging_info:
            prov["loggingInfo"] = {"brokerLogs": {"cloudWatchLogs": {"enabled": False}, "firehose": {"enabled": False}, "s3": {"enabled": False}}}
        zk = ",".join(h.replace("b-", "z-", 1) for h in broker_hosts(cluster))
        if not cluster.zookeeper_connect_string:
            prov["zookeeperConnectString"] = ",".join(f"{h}:2181" for h in zk.split(","))
        if not cluster.zookeeper_connect_string_tls:
            prov["zookeeperConnectStringTls"] = ",".join(f"{h}:2182" for h in zk.split(","))
    serverless = info.get("serverless")
    if serverless is not None:
        auth = serverless.get("clientAuthentication") or {}
        if not auth:
            serverless["clientAuthentication"] = {"sasl": {"iam": {"enabled": True}}}
    return info


# ------------------------------------------------------------------------------------------------
# EC2


def _patch_ec2() -> None:
    from moto.ec2.models import nat_gateways

    original = nat_gateways.NatGateway.__init__

    def __init__(self: Any, backend: Any, subnet_id: str, allocation_id: str, tags: Any = None, connectivity_type: Any = "public") -> None:
        original(self, backend, subnet_id, allocation_id, tags, connectivity_type or "public")

    nat_gateways.NatGateway.__init__ = __init__


# ------------------------------------------------------------------------------------------------
# KMS


def _patch_kms() -> None:
    from moto.kms import models

    original = models.KmsBackend._generate_default_keys

    def _generate_default_keys(self: Any, alias_name: str) -> Any:
        key_id = original(self, alias_name)
        if key_id and key_id in self.keys:
            key = self.keys[key_id]
            key.key_manager = "AWS"
            service = alias_name.rsplit("/", 1)[-1]
            key.description = f"Default key that protects my {service} data when no other key is defined"
        return key_id

    models.KmsBackend._generate_default_keys = _generate_default_keys


# ------------------------------------------------------------------------------------------------
# IAM


def _patch_iam() -> None:
    from moto.iam import models
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.settings import load_iam_aws_managed_policies

    parsed: dict[str, Any] = {}

    def _init_aws_policies(self: Any) -> list[Any]:
        if load_iam_aws_managed_policies():
            return original(self)
        if not parsed:
            data = json.loads(aws_managed_policies_data)
            parsed.update({name: data[name] for name in CURATED_AWS_MANAGED_POLICIES if name in data})
        return [models.AWSManagedPolicy.from_data(name, self.account_id, self.region_name, d) for name, d in parsed.items()]

    original = models.IAMBackend._init_aws_policies
    models.IAMBackend._init_aws_policies = _init_aws_policies


# ------------------------------------------------------------------------------------------------
# Lambda functions: status fields set through the control endpoint (control.py)


def _patch_lambda_function() -> None:
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.get_configuration

    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config = original(self, *args, **kwargs)
        overrides = getattr(self, "moto_ext_status", None)
        if overrides:
            config.update({k: v for k, v in overrides.items() if v is not None})
        return config

    LambdaFunction.get_configuration = get_configuration
