#!/usr/bin/env python3
"""Diagnostics latency of `layerwise server` on a generated 1,000-line
Dockerfile: the time from `didOpen` (and from each one-character incremental
`didChange`) to the `publishDiagnostics` for that version. A benchmark, not a
test; plain JSON-RPC over the server's stdin/stdout, no client library.

    scripts/bench_lsp.py PATH/TO/layerwise [CHANGES]
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

STANZA = [
    "FROM python:3.11-slim AS stage{n}",
    "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 APP_HOME=/srv/app{n}",
    "WORKDIR /srv/app{n}",
    "RUN apt-get update && apt-get install -y gcc libpq-dev",
    "COPY . .",
    "RUN pip install -r requirements.txt",
    "RUN python -m compileall -q . && \\",
    "    echo built{n}",
    "# a comment line",
    "EXPOSE 8000",
]


def dockerfile(lines: int) -> str:
    out = []
    n = 0
    while len(out) < lines:
        out.extend(line.format(n=n) for line in STANZA)
        n += 1
    out = out[:lines - 1] + ['CMD ["gunicorn", "app:app"]']
    return "\n".join(out) + "\n"


class Server:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self) -> dict:
        length = 0
        while (line := self.proc.stdout.readline().strip()):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while (message := self.receive()).get("id") != self.next_id:
            pass
        return message

    def diagnostics(self, version: int) -> list:
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version:
                return message["params"]["diagnostics"]


def main() -> None:
    binary = sys.argv[1]
    changes = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    text = dockerfile(1000)
    with tempfile.TemporaryDirectory() as project:
        path = os.path.join(project, "Dockerfile")
        with open(path, "w") as f:
            f.write(text)
        open(os.path.join(project, "requirements.txt"), "w").write("flask\n")
        uri = "file://" + path
        server = Server(binary)
        server.request("initialize", {"capabilities": {}, "processId": None, "rootUri": None})
        server.send({"method": "initialized", "params": {}})
        start = time.perf_counter()
        server.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})
        found = server.diagnostics(1)
        opened = time.perf_counter() - start
        latencies = []
        for version in range(2, changes + 2):
            # Type one character at the end of line 500 (an `EXPOSE`/comment line).
            at = {"line": 500, "character": 0}
            start = time.perf_counter()
            server.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": at, "end": at}, "text": " "}]}})
            server.diagnostics(version)
            latencies.append(time.perf_counter() - start)
        server.request("shutdown", None)
        server.send({"method": "exit"})
        server.proc.wait(timeout=10)
    print(f"{len(text.splitlines())} lines, {len(found)} diagnostics")
    print(f"didOpen -> diagnostics: {opened * 1000:.1f} ms")
    print(f"didChange -> diagnostics over {changes} edits: median {statistics.median(latencies) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
