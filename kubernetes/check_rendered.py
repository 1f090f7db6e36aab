"""Check the platform's own conventions on rendered manifests.

    python kubernetes/check_rendered.py RENDERED.yaml ...

Every object, and every pod template, carries the platform's labels; every
namespaced object lands in namespace edu; every port has a name. A service's
pods are scraped by Prometheus on their ``http`` port, and are given time to
finish in-flight requests: the preStop pause plus gunicorn's graceful timeout
fit in ``terminationGracePeriodSeconds``. Schemas and security settings are
checked by kubernetes-validate and checkov.
"""

import sys

import yaml

LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)
NAMESPACE = "edu"
CLUSTER_SCOPED = {"Namespace"}


def problems_of(document, config_maps):
    """Yield what ``document`` lacks, one sentence each."""
    metadata = document["metadata"]
    for label in LABELS:
        if label not in metadata.get("labels", {}):
            yield f"has no label {label}"
    if (
        document["kind"] not in CLUSTER_SCOPED
        and metadata.get("namespace") != NAMESPACE
    ):
        yield f"is not in namespace {NAMESPACE}"

    template = document.get("spec", {}).get("template", {})
    pod = template.get("spec", {})
    for label in LABELS:
        if pod and label not in template.get("metadata", {}).get("labels", {}):
            yield f"has a pod template without label {label}"
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        for port in container.get("ports", []):
            if "name" not in port:
                yield f"has an unnamed port {port['containerPort']}"
    if document["kind"] == "Service":
        for port in document["spec"].get("ports", []):
            if "name" not in port:
                yield f"has an unnamed port {port['port']}"
    if document["kind"] == "Deployment":
        yield from _service_pod_problems(template, config_maps)


def _service_pod_problems(template, config_maps):
    """Yield what a service's pod template lacks for scrapes and rollouts."""
    pod = template["spec"]
    (container,) = pod["containers"]
    http_port = next(
        port["containerPort"] for port in container["ports"] if port["name"] == "http"
    )
    annotations = template["metadata"].get("annotations", {})
    wanted = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(http_port),
        "prometheus.io/path": "/metrics",
    }
    for name, value in wanted.items():
        if annotations.get(name) != value:
            yield f"has a pod template without annotation {name}: {value}"

    settings = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            settings.update(config_maps.get(source["configMapRef"]["name"], {}))
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    pause = pre_stop.get("sleep", {}).get("seconds", 0)
    if not pause:
        yield "has no preStop pause"
    graceful = int(settings.get("GUNICORN_GRACEFUL_TIMEOUT", 0))
    grace = pod.get("terminationGracePeriodSeconds", 30)
    if not graceful:
        yield "sets no GUNICORN_GRACEFUL_TIMEOUT through its ConfigMaps"
    elif grace <= pause + graceful:
        yield (
            f"gives its pods {grace} s to stop, not more than the preStop pause "
            f"({pause} s) plus gunicorn's graceful timeout ({graceful} s)"
        )


def main(paths):
    failed = False
    for path in paths:
        with open(path) as stream:
            documents = [
                document for document in yaml.safe_load_all(stream) if document
            ]
        config_maps = {
            document["metadata"]["name"]: document.get("data", {})
            for document in documents
            if document["kind"] == "ConfigMap"
        }
        problems = [
            f"{document['kind']}/{document['metadata']['name']} {problem}"
            for document in documents
            for problem in problems_of(document, config_maps)
        ]
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        print(f"{path}: {len(documents)} objects, {len(problems)} problems")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
