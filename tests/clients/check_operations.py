"""Every operation of the served document, in each generated client.

Usage (scripts/test-clients.sh runs it with the clients' virtual
environment, which has ruamel.yaml, a dependency of openapi-python-client):

    python check_operations.py DOCUMENT WORK_FOLDER

WORK_FOLDER holds python/n4n_client (openapi-python-client),
hey-api/src/generated (@hey-api/openapi-ts) and
openapi-fetch/src/generated/schema.d.ts (openapi-typescript). Prints the
count found per client; exits non-zero naming every operation missing.
"""

import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(document):
    """(method, path, operationId) of every operation, in document order."""
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                found.append((method, path, item[method]["operationId"]))
    return found


def python_operations(package):
    """(method, url) of every endpoint module's request."""
    pattern = re.compile(r'"method":\s*"(\w+)",\s*"url":\s*f?"([^"]+)"')
    found = set()
    for module in (package / "api").rglob("*.py"):
        found.update(pattern.findall(module.read_text()))
    return found


def hey_api_operations(generated):
    """operationId -> (method, url) of every SDK function."""
    sdk = (generated / "sdk.gen.ts").read_text()
    pattern = re.compile(
        r"export const (\w+) = .*?\)\.(\w+)<.*?url: '([^']+)'", re.DOTALL
    )
    return {name: (method, url) for name, method, url in pattern.findall(sdk)}


def openapi_typescript_operations(schema):
    """(method, path, operationId) of every `paths` entry typed by `operations`."""
    text = schema.read_text()
    paths = text.split("export interface paths {", 1)[1].split("\nexport ", 1)[0]
    found = set()
    current = None
    for line in paths.splitlines():
        path = re.match(r'^    "(/[^"]*)": \{', line)
        if path:
            current = path.group(1)
            continue
        method = re.match(r'^        (\w+): operations\["(\w+)"\];', line)
        if method and current:
            found.add((method.group(1), current, method.group(2)))
    return found


def main(document_path, work):
    yaml = YAML(typ="safe")
    document = yaml.load(Path(document_path).read_text())
    wanted = operations(document)
    missing = []

    python = python_operations(work / "python" / "n4n_client")
    missing += [f"python: {m.upper()} {p} ({o})" for m, p, o in wanted if (m, p) not in python]

    hey = hey_api_operations(work / "hey-api" / "src" / "generated")
    missing += [f"hey-api: {o} ({m.upper()} {p})" for m, p, o in wanted if hey.get(o) != (m, p)]

    typed = openapi_typescript_operations(work / "openapi-fetch" / "src" / "generated" / "schema.d.ts")
    missing += [f"openapi-typescript: {m.upper()} {p} ({o})" for m, p, o in wanted if (m, p, o) not in typed]

    if missing:
        print("operations missing from a generated client:", *missing, sep="\n  ", file=sys.stderr)
        sys.exit(1)
    print(
        f"ok - all {len(wanted)} operations of the document are in each client "
        f"(python {len(python)}, hey-api {len(hey)}, openapi-typescript {len(typed)})"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], Path(sys.argv[2]))
