"""Quote-of-the-day service served by waitress, a pure-Python WSGI server."""

import datetime
import os

from flask import Flask, jsonify
from waitress import serve

QUOTES = [
    "Copy the lock file before the code.",
    "A cache mount is worth a thousand downloads.",
    "Run as a user, not as root.",
]

app = Flask(__name__)


@app.get("/")
def quote_of_the_day():
    day = datetime.date.today().toordinal()
    return jsonify(quote=QUOTES[day % len(QUOTES)])


@app.get("/health")
def health():
    return jsonify(status="ok")


def main() -> None:
    """Console entry point: serve on $PORT (default 8000) on all interfaces."""
    serve(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":
    main()
