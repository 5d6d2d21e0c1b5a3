"""One editor session against `layerwise server`, driven by pytest-lsp.

Run by `lsp_e2e.rs`, which sets LAYERWISE_BIN (the binary under test),
LAYERWISE_DOCKERFILE (a naive Dockerfile in its project directory) and
XDG_CACHE_HOME (where it recorded a build of that Dockerfile).
"""

import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

DOCKERFILE = pathlib.Path(os.environ["LAYERWISE_DOCKERFILE"]).resolve()
URI = DOCKERFILE.as_uri()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[os.environ["LAYERWISE_BIN"], "server"])
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                        version_support=True,
                        code_description_support=True,
                        related_information=True,
                    ),
                    hover=types.HoverClientCapabilities(
                        content_format=[types.MarkupKind.Markdown]
                    ),
                )
            ),
            root_uri=DOCKERFILE.parent.as_uri(),
        )
    )
    yield
    await lsp_client.shutdown_session()


def codes(client: LanguageClient) -> list[str]:
    return [d.code for d in client.diagnostics[URI]]


async def hover_at(client: LanguageClient, line: int) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            position=types.Position(line=line, character=1),
        )
    )


def offset(text: str, position: types.Position) -> int:
    """Byte offset of an LSP position in ASCII text."""
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


async def test_diagnostics_fix_hover(client: LanguageClient):
    text = DOCKERFILE.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=URI, language_id="dockerfile", version=1, text=text
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert "LW101" in codes(client), codes(client)
    lw101 = next(d for d in client.diagnostics[URI] if d.code == "LW101")
    assert lw101.source == "layerwise"
    assert lw101.code_description.href.endswith("#lw101-copy-before-install")

    # The finding on the COPY points at the install it invalidates.
    install_line = next(i for i, line in enumerate(text.split("\n")) if "pip install" in line)
    (related,) = lw101.related_information
    assert related.location.uri == URI, related
    assert related.location.range.start.line == install_line, related
    assert "`pip install` re-runs" in related.message, related.message

    # The saved file: hover shows the install's cache key inputs.
    hover = await hover_at(client, install_line)
    assert "**Cache key**" in hover.contents.value, hover.contents.value
    assert "- command: `" in hover.contents.value, hover.contents.value
    # The build lsp_e2e.rs recorded, and the prediction for the next one.
    assert "**Last recorded build** (just now): ran, 42.0s." in hover.contents.value, hover.contents.value
    assert "**Next build**: a cache hit." in hover.contents.value, hover.contents.value

    # On the COPY: the context files it sends, named.
    copy_line = next(i for i, line in enumerate(text.split("\n")) if line == "COPY . .")
    hover = await hover_at(client, copy_line)
    assert "context files read (after `.dockerignore`)" in hover.contents.value, hover.contents.value
    assert "  - `app.py`" in hover.contents.value, hover.contents.value

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=lw101.range,
            context=types.CodeActionContext(diagnostics=[lw101]),
        )
    )
    titles = [a.title for a in actions]
    assert any(t.startswith("LW101: suppress") for t in titles), titles
    fix = next(a for a in actions if a.title.startswith("LW101:") and "suppress" not in a.title)
    edits = fix.edit.changes[URI]
    assert edits, fix

    # Apply the fix as an editor does: its edits as incremental changes,
    # last first so earlier positions stay valid.
    changes = []
    fixed = text
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(fixed, edit.range.start), offset(fixed, edit.range.end)
        fixed = fixed[:start] + edit.new_text + fixed[end:]
        changes.append(
            types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
        )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=changes,
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert "LW101" not in codes(client), codes(client)
    assert codes(client), "the other findings stay"

    # Hover on the install line, which still has findings; the text is no
    # longer the saved file, so no cache key is shown.
    install_line = next(i for i, line in enumerate(fixed.split("\n")) if "pip install" in line)
    hover = await hover_at(client, install_line)
    assert hover is not None
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert "What it does" in hover.contents.value, hover.contents.value
    assert "**Cache key**" not in hover.contents.value
