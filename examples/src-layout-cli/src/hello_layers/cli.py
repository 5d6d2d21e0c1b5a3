"""Command-line interface: print a report, or serve it over HTTP."""

import json
import platform
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import click

from hello_layers import __version__


def report() -> dict[str, str]:
    return {
        "app": "hello-layers",
        "version": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
    }


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/health":
            body = {"status": "ok"}
        elif self.path == "/":
            body = report()
        else:
            self.send_error(404)
            return
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        click.echo(f"{self.address_string()} {format % args}", err=True)


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Print a report about this interpreter (or use a subcommand)."""
    if ctx.invoked_subcommand is None:
        for key, value in report().items():
            click.echo(f"{key}: {value}")


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the report as JSON over HTTP."""
    server = ThreadingHTTPServer((host, port), Handler)
    click.echo(f"serving on http://{host}:{port}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
