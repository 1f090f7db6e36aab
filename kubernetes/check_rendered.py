"""Check the platform's own conventions on rendered manifests.

    python kubernetes/check_rendered.py RENDERED.yaml ...

Every object, and every pod template, carries the platform's labels; every
namespaced object lands in namespace edu; every port has a name. Schemas and
security settings are checked by kubernetes-validate and checkov.
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


def problems_of(document):
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


def main(paths):
    failed = False
    for path in paths:
        with open(path) as stream:
            documents = [
                document for document in yaml.safe_load_all(stream) if document
            ]
        problems = [
            f"{document['kind']}/{document['metadata']['name']} {problem}"
            for document in documents
            for problem in problems_of(document)
        ]
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        print(f"{path}: {len(documents)} objects, {len(problems)} problems")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
