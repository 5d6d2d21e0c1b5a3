//! The protocol loop over an in-memory connection: handshake, diagnostics on
//! open and change, code actions, hover, a bad request answered with an
//! error while the server keeps serving, shutdown.

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

const NAIVE: &str =
    "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";
/// A server that stops answering fails the test instead of hanging it.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
const URI: &str = "file:///nonexistent-layerwise-test/Dockerfile";

struct Client {
    connection: Connection,
    next_id: i32,
}

impl Client {
    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(request.into()).unwrap();
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server answers")
            {
                Message::Response(response) if response.id == id => return response,
                _ => continue,
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_string(), params);
        self.connection.sender.send(notification.into()).unwrap();
    }

    fn diagnostics(&self) -> Value {
        loop {
            match self
                .connection
                .receiver
                .recv_timeout(TIMEOUT)
                .expect("server publishes")
            {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    return n.params;
                }
                _ => continue,
            }
        }
    }
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_session_from_initialize_to_shutdown() {
    let (server_side, client_side) = Connection::memory();
    let server = std::thread::spawn(move || layerwise_lsp::server::serve(&server_side));
    let mut client = Client {
        connection: client_side,
        next_id: 0,
    };

    let init = client.request(
        "initialize",
        json!({"capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    let capabilities = &init.result.expect("initialize result")["capabilities"];
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["hoverProvider"], true);
    client.notify("initialized", json!({}));
    // The server asks to hear about configuration and .dockerignore changes.
    match client
        .connection
        .receiver
        .recv_timeout(TIMEOUT)
        .expect("registration")
    {
        Message::Request(r) => {
            assert_eq!(r.method, "client/registerCapability");
            let watcher = &r.params["registrations"][0];
            assert_eq!(watcher["method"], "workspace/didChangeWatchedFiles");
            let glob = watcher["registerOptions"]["watchers"][0]["globPattern"]
                .as_str()
                .unwrap();
            assert!(
                glob.contains("layerwise.toml") && glob.contains(".dockerignore"),
                "{glob}"
            );
            let done = Response::new_ok(r.id, Value::Null);
            client.connection.sender.send(done.into()).unwrap();
        }
        other => panic!("expected a registration, got {other:?}"),
    }

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": NAIVE}}),
    );
    let opened = client.diagnostics();
    assert_eq!(opened["version"], 1);
    assert!(codes(&opened).contains(&"LW101".to_string()), "{opened}");

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    let actions = actions.result.expect("code actions");
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("LW101: suppress")),
        "{titles:?}"
    );

    // Comment out the COPY: an incremental change that removes LW101.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 0},
                                             "end": {"line": 2, "character": 0}},
                                   "text": "# "}]}),
    );
    let changed = client.diagnostics();
    assert_eq!(changed["version"], 2);
    assert!(!codes(&changed).contains(&"LW101".to_string()), "{changed}");

    // A watched file changed: every open document is checked and published again.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": "file:///nonexistent-layerwise-test/layerwise.toml", "type": 2}]}),
    );
    let again = client.diagnostics();
    assert_eq!(again["version"], 2);
    assert_eq!(codes(&again), codes(&changed));

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 1}}),
    );
    let shown = hover.result.expect("hover result");
    assert!(
        shown["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("LW102"),
        "{shown}"
    );

    // Malformed parameters and unknown methods get errors; the server goes on.
    let bad = client.request("textDocument/hover", json!({"nonsense": true}));
    assert!(bad.error.is_some());
    let unknown = client.request("textDocument/formatting", json!({}));
    assert_eq!(unknown.error.expect("error").code, -32601);

    let shutdown = client.request("shutdown", Value::Null);
    assert!(shutdown.error.is_none());
    client.notify("exit", Value::Null);
    server
        .join()
        .expect("server thread")
        .expect("server ends cleanly");
}
