// Starts `layerwise server` for Dockerfiles and hands it to VS Code's
// language client; everything else (diagnostics, quick fixes, hover) comes
// from the server.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function start() {
  const command = vscode.workspace.getConfiguration('layerwise').get('path') || 'layerwise';
  client = new LanguageClient(
    'layerwise',
    'layerwise',
    { command, args: ['server'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'dockerfile' },
        { scheme: 'untitled', language: 'dockerfile' },
      ],
      // The server checks open Dockerfiles again when these change.
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher(
          '**/{layerwise.toml,.layerwise.toml,pyproject.toml,.dockerignore}'
        ),
      },
    }
  );
  return client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('layerwise.path')) {
        await deactivate();
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  const running = client;
  client = undefined;
  return running ? running.stop() : undefined;
}

module.exports = { activate, deactivate };
