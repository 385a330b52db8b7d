"""What the NetworkPolicies in the rendered manifests let through, checked offline (`make lint`).

The schemas say a policy is well-formed; this says it does what deploy/k8s/network-policies.yaml
promises: every pod denied by default, each policy selecting pods that exist and naming ports they
open, NATS's route port open to NATS pods alone, its client port to Muster's pods alone.
Usage: check-policies.py rendered.yaml
"""
import sys

import yaml


def selects(selector, labels):
    """Whether a label selector matches a pod's labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def main(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    pods = {}
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
            spec = d["spec"]["template"]
            ports = {p["containerPort"] for c in spec["spec"]["containers"] for p in c.get("ports", [])}
            pods[d["metadata"]["name"]] = (spec["metadata"].get("labels") or {}, ports)
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    problems = []
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")]
    if not deny:
        problems.append("no policy denies ingress to every pod by default")
    for policy in policies:
        name, spec = policy["metadata"]["name"], policy["spec"]
        chosen = {pod: ports for pod, (labels, ports) in pods.items() if selects(spec["podSelector"], labels)}
        if not chosen:
            problems.append(f"{name}: selects no pod")
        opened = set().union(*chosen.values()) if chosen else set()
        for rule in spec.get("ingress") or []:
            for port in rule.get("ports") or []:
                if port["port"] not in opened:
                    problems.append(f"{name}: port {port['port']} is opened by none of {sorted(chosen)}")
                sources = rule.get("from")
                labels = [s.get("podSelector", {}).get("matchLabels", {}) for s in sources or []]
                if port["port"] == 6222 and labels != [{"app.kubernetes.io/name": "nats"}]:
                    problems.append(f"{name}: the route port is open to {sources}, not NATS alone")
                if port["port"] == 4222 and labels != [{"app.kubernetes.io/part-of": "muster"}]:
                    problems.append(f"{name}: the client port is open to {sources}, not Muster's pods alone")
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"deploy/k8s: {len(policies)} NetworkPolicies select {len(pods)} pod templates as promised")


main(sys.argv[1])
