"""A tiny Bottle service: a counter at / and a health check at /health."""

import itertools
import json

from bottle import Bottle, response

app = Bottle()
_hits = itertools.count(1)


def _json(payload: dict) -> str:
    response.content_type = "application/json"
    return json.dumps(payload)


@app.get("/")
def index() -> str:
    return _json({"message": "hello from pipenv-app", "hits": next(_hits)})


@app.get("/health")
def health() -> str:
    return _json({"status": "ok"})


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
