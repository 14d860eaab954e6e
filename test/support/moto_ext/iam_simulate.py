"""IAM SimulatePrincipalPolicy (botocore iam 2010-05-08, query protocol: POST / with
Action=SimulatePrincipalPolicy; the answer is XML in SimulatePrincipalPolicyResult).

Evaluated against moto's own IAM state. The principal (`PolicySourceArn`) may be a role (its inline
policies and attached managed policies), a user (its inline and attached policies and those of its
groups) or a group. `PolicyInputList` adds policies; a permissions boundary (the role's or user's
`PermissionsBoundary`, or `PermissionsBoundaryPolicyInputList`) must also allow the action.

Evaluation, as IAM does it for identity policies in one account:
  * a statement applies when its `Action` (or `NotAction`) and its `Resource` (or `NotResource`) match;
  * `*` and `?` wildcards: actions case-insensitively, resources case-sensitively and segment by
    segment (a wildcard does not cross the colons of the first five ARN segments; the resource part
    may contain anything);
  * an applicable `Deny` anywhere wins (`explicitDeny`), else an applicable `Allow` (`allowed`,
    unless the permissions boundary does not allow it), else `implicitDeny`.
Not modelled (documented simplifications): `Condition` blocks are ignored — a statement with a
condition applies as if the condition held, and `ContextEntries` are accepted but unused, so
`MissingContextValues` is always empty; policy variables (`${aws:username}`) are compared
literally; `ResourcePolicy`, `ResourceOwner`, `CallerArn`, `ResourceHandlingOption`, SCPs and
session policies are not evaluated. Without `ResourceArns` the resource is `*`, which only
statements whose resource pattern matches the literal `*` cover.

Answer shape (the current AWS behaviour, per the EvaluationResult reference): one
`EvaluationResult` per action, in the order asked, with the most restrictive decision across the
requested resources and one `ResourceSpecificResults` entry per resource; `EvalResourceName` is the
resource when one was asked, `*` when none, and absent when several were (read
`ResourceSpecificResults` then). `MatchedStatements` name the policy
(`SourcePolicyId`: the inline policy name, the managed policy name, or `PolicyInputList.N`) and its
type (`role`, `user`, `group`, `aws-managed`, `user-managed`, `none`). `MaxItems` (1..1000) and
`Marker` page the results, with `IsTruncated`.
Errors: `NoSuchEntity` (404) for an unknown principal; `InvalidInput` (400) for a malformed ARN,
an assumed-role ARN, no action names, a malformed action, an unparseable policy or a bad marker.
"""
from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any, Iterable
from urllib.parse import unquote

from .http import ApiError, Request, Response, escape, query_xml_error, xml_response

NS = "https://iam.amazonaws.com/doc/2010-05-08/"
RANK = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}


def match(req: Request) -> Any:
    if req.service != "iam" or req.method != "POST":
        return None
    if not (req.environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded"):
        return None
    if req.form().get("Action") != "SimulatePrincipalPolicy":
        return None

    def run(r: Request) -> Response:
        try:
            return simulate_principal_policy(r)
        except ApiError as err:
            return query_xml_error(err, NS)

    return run


def invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message)


# ------------------------------------------------------------------------------------------------
# request


def members(form: dict[str, str], name: str) -> list[str]:
    """Query-protocol list: Name.member.1, Name.member.2, ..."""
    found = []
    for key, value in form.items():
        m = re.match(rf"^{re.escape(name)}\.member\.(\d+)$", key)
        if m:
            found.append((int(m.group(1)), value))
    return [v for _, v in sorted(found)]


class Policy:
    def __init__(self, source_id: str, source_type: str, document: str):
        self.source_id = source_id
        self.source_type = source_type
        try:
            parsed = json.loads(document)
        except ValueError:
            try:
                parsed = json.loads(unquote(document))
            except ValueError:
                raise ApiError(500, "PolicyEvaluation", f"The policy {source_id} is not valid JSON.")
        statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
        self.statements: list[dict[str, Any]] = statements if isinstance(statements, list) else [statements]


def _default_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return version.document
    return policy.versions[0].document if policy.versions else "{}"


def _managed(policy: Any) -> Policy:
    kind = "aws-managed" if ":iam::aws:policy/" in policy.arn else "user-managed"
    return Policy(policy.name, kind, _default_document(policy))


def principal_policies(iam: Any, arn: str) -> tuple[list[Policy], list[Policy]]:
    """(identity policies, permissions boundary policies) of a role, user or group ARN."""
    m = re.match(r"^arn:aws[a-zA-Z-]*:(iam|sts)::(\d{12}|aws):(role|user|group|assumed-role|federated-user)/(.+)$", arn or "")
    if not m:
        raise invalid(f"Invalid ARN {arn}: PolicySourceArn must be the ARN of an IAM user, group or role.")
    kind, path_and_name = m.group(3), m.group(4)
    if kind in ("assumed-role", "federated-user") or m.group(1) == "sts":
        raise invalid("PolicySourceArn must be the ARN of an IAM user, group or role; assumed roles and federated users are not supported.")
    name = path_and_name.rsplit("/", 1)[-1]
    identity: list[Policy] = []
    boundary_arn = None
    if kind == "role":
        role = next((r for r in iam.roles.values() if r.arn == arn or (r.name == name and r.arn.endswith(f"/{name}"))), None)
        if role is None:
            raise ApiError(404, "NoSuchEntity", f"The role with name {name} cannot be found.")
        identity += [Policy(n, "role", doc) for n, doc in role.policies.items()]
        identity += [_managed(p) for p in role.managed_policies.values()]
        boundary_arn = role.permissions_boundary_arn
    elif kind == "user":
        user = iam.users.get(name)
        if user is None:
            raise ApiError(404, "NoSuchEntity", f"The user with name {name} cannot be found.")
        identity += [Policy(n, "user", doc) for n, doc in user.policies.items()]
        identity += [_managed(p) for p in user.managed_policies.values()]
        for group in iam.groups.values():
            if user in group.users:
                identity += [Policy(n, "group", doc) for n, doc in group.policies.items()]
                identity += [_managed(p) for p in group.managed_policies.values()]
        boundary_arn = getattr(user, "permissions_boundary", None) or None
        if isinstance(boundary_arn, dict):
            boundary_arn = boundary_arn.get("PermissionsBoundaryArn")
    else:
        group = iam.groups.get(name)
        if group is None:
            raise ApiError(404, "NoSuchEntity", f"The group with name {name} cannot be found.")
        identity += [Policy(n, "group", doc) for n, doc in group.policies.items()]
        identity += [_managed(p) for p in group.managed_policies.values()]
    boundary: list[Policy] = []
    if boundary_arn:
        policy = iam.managed_policies.get(boundary_arn)
        # A boundary pointing at a deleted policy allows nothing.
        boundary.append(_managed(policy) if policy else Policy(boundary_arn, "none", '{"Statement": []}'))
    return identity, boundary


# ------------------------------------------------------------------------------------------------
# matching


def _glob(pattern: str, flags: int = 0) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("^" + "".join(out) + "$", flags | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    return bool(_glob(pattern, re.IGNORECASE).match(action))


def resource_matches(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    p_parts, r_parts = pattern.split(":", 5), resource.split(":", 5)
    if len(p_parts) == 6 and len(r_parts) == 6:
        return all(_glob(p).match(r) for p, r in zip(p_parts, r_parts))
    return bool(_glob(pattern).match(resource))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def statement_applies(st: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in st:
        if not any(action_matches(p, action) for p in _as_list(st["Action"])):
            return False
    elif "NotAction" in st:
        if any(action_matches(p, action) for p in _as_list(st["NotAction"])):
            return False
    else:
        return False
    if "Resource" in st:
        return any(resource_matches(p, resource) for p in _as_list(st["Resource"]))
    if "NotResource" in st:
        return not any(resource_matches(p, resource) for p in _as_list(st["NotResource"]))
    return False


def decide(policies: Iterable[Policy], action: str, resource: str) -> tuple[str, list[Policy]]:
    allows: list[Policy] = []
    denies: list[Policy] = []
    for policy in policies:
        for st in policy.statements:
            if not isinstance(st, dict) or not statement_applies(st, action, resource):
                continue
            effect = str(st.get("Effect", ""))
            if effect == "Deny":
                denies.append(policy)
            elif effect == "Allow":
                allows.append(policy)
    if denies:
        return "explicitDeny", _unique(denies)
    if allows:
        return "allowed", _unique(allows)
    return "implicitDeny", []


def _unique(policies: list[Policy]) -> list[Policy]:
    seen, out = set(), []
    for p in policies:
        if (p.source_id, p.source_type) not in seen:
            seen.add((p.source_id, p.source_type))
            out.append(p)
    return out


# ------------------------------------------------------------------------------------------------
# operation


def simulate_principal_policy(req: Request) -> Response:
    from moto.iam.models import iam_backends

    form = req.form()
    iam = iam_backends[req.account]["aws"]
    source = form.get("PolicySourceArn")
    if not source:
        raise invalid("PolicySourceArn is required.")
    actions = members(form, "ActionNames")
    if not actions:
        raise invalid("ActionNames must contain at least one action.")
    for action in actions:
        if not re.match(r"^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$", action):
            raise invalid(f"Actions must be in the form service:action; {action} is not valid.")
    resources = members(form, "ResourceArns")
    identity, boundary = principal_policies(iam, source)
    identity += [Policy(f"PolicyInputList.{i}", "none", doc) for i, doc in enumerate(members(form, "PolicyInputList"), start=1)]
    boundary += [Policy(f"PermissionsBoundaryPolicyInputList.{i}", "none", doc)
                 for i, doc in enumerate(members(form, "PermissionsBoundaryPolicyInputList"), start=1)]

    results = []
    for action in actions:
        per_resource = []
        for resource in resources or ["*"]:
            decision, matched = decide(identity, action, resource)
            bounded = None
            if boundary:
                b_decision, _ = decide(boundary, action, resource)
                bounded = b_decision == "allowed"
                if decision == "allowed" and not bounded:
                    decision, matched = ("explicitDeny" if b_decision == "explicitDeny" else "implicitDeny"), []
            per_resource.append({"resource": resource, "decision": decision, "matched": matched, "bounded": bounded})
        worst = max(per_resource, key=lambda r: RANK[r["decision"]])
        results.append({
            "action": action,
            "resource": resources[0] if len(resources) == 1 else ("*" if not resources else None),
            "decision": worst["decision"],
            "matched": worst["matched"],
            "bounded": None if not boundary else all(r["bounded"] for r in per_resource),
            "per_resource": per_resource if resources else [],
        })

    max_items = form.get("MaxItems")
    try:
        size = int(max_items) if max_items else 100
    except ValueError:
        raise invalid(f"MaxItems must be a number; got {max_items}.")
    if not 1 <= size <= 1000:
        raise invalid("MaxItems must be between 1 and 1000.")
    start = 0
    if form.get("Marker"):
        try:
            prefix, _, number = base64.b64decode(form["Marker"]).decode().partition(":")
            assert prefix == "simulate"
            start = int(number)
        except Exception:
            raise invalid("The Marker is not valid.")
    page = results[start:start + size]
    truncated = start + size < len(results)
    marker = base64.b64encode(f"simulate:{start + size}".encode()).decode() if truncated else None
    return xml_response(_render(page, truncated, marker))


def _statements_xml(policies: list[Policy]) -> str:
    items = "".join(
        f"<member><SourcePolicyId>{escape(p.source_id)}</SourcePolicyId><SourcePolicyType>{p.source_type}</SourcePolicyType></member>"
        for p in policies
    )
    return f"<MatchedStatements>{items}</MatchedStatements>"


def _render(results: list[dict[str, Any]], truncated: bool, marker: str | None) -> str:
    members_xml = []
    for r in results:
        parts = [f"<EvalActionName>{escape(r['action'])}</EvalActionName>"]
        if r["resource"] is not None:
            parts.append(f"<EvalResourceName>{escape(r['resource'])}</EvalResourceName>")
        parts.append(f"<EvalDecision>{r['decision']}</EvalDecision>")
        parts.append(_statements_xml(r["matched"]))
        parts.append("<MissingContextValues/>")
        if r["per_resource"]:
            specific = "".join(
                "<member>"
                f"<EvalResourceName>{escape(p['resource'])}</EvalResourceName>"
                f"<EvalResourceDecision>{p['decision']}</EvalResourceDecision>"
                f"{_statements_xml(p['matched'])}<MissingContextValues/>"
                + (f"<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>{str(p['bounded']).lower()}</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>" if p["bounded"] is not None else "")
                + "</member>"
                for p in r["per_resource"]
            )
            parts.append(f"<ResourceSpecificResults>{specific}</ResourceSpecificResults>")
            parts.append("<EvalDecisionDetails/>")
        if r["bounded"] is not None:
            parts.append(f"<PermissionsBoundaryDecisionDetail><AllowedByPermissionsBoundary>{str(r['bounded']).lower()}</AllowedByPermissionsBoundary></PermissionsBoundaryDecisionDetail>")
        members_xml.append("<member>" + "".join(parts) + "</member>")
    marker_xml = f"<Marker>{escape(marker)}</Marker>" if marker else ""
    return (
        f'<SimulatePrincipalPolicyResponse xmlns="{NS}"><SimulatePrincipalPolicyResult>'
        f"<IsTruncated>{str(truncated).lower()}</IsTruncated>"
        f"<EvaluationResults>{''.join(members_xml)}</EvaluationResults>{marker_xml}"
        f"</SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>"
    )
