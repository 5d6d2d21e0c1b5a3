//! The protocol loop: documents in, diagnostics out, requests answered one at
//! a time. A panic while answering becomes an error response (or, for a
//! notification, a log message) and the loop carries on.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, LogMessageParams, MessageType, PublishDiagnosticsParams, Registration,
    RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};

use crate::analysis::Analysis;
use crate::document::Document;
use crate::panic_message;
use crate::{actions, hover};

/// Serves one client on stdin/stdout until it asks to exit.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    // The writer thread ends when the connection's sender is dropped.
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The initialize handshake, then messages until shutdown.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let initialize = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "layerwise".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, initialize)
        .map_err(|e| e.to_string())?;
    if can_watch_files(&params) {
        send(connection, watch_configuration())?;
    }
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = server.answer(request);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                let outcome = catch_unwind(AssertUnwindSafe(|| server.notified(notification)));
                let outgoing = match outcome {
                    Ok(outgoing) => outgoing,
                    Err(panic) => vec![log(format!(
                        "layerwise: internal error handling {method}: {}",
                        panic_message(panic.as_ref())
                    ))],
                };
                for message in outgoing {
                    send(connection, message)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Files whose change alters what an open Dockerfile reports.
pub const WATCHED: &str =
    "**/{layerwise.toml,.layerwise.toml,pyproject.toml,.dockerignore,*.dockerignore}";

fn can_watch_files(initialize: &serde_json::Value) -> bool {
    initialize
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// Asks the client to report changes to configuration and ignore files, so
/// the open documents are checked again when one is edited elsewhere.
fn watch_configuration() -> Message {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String(WATCHED.to_string()),
            kind: None,
        }],
    };
    let registration = Registration {
        id: "layerwise-configuration".to_string(),
        method: DidChangeWatchedFiles::METHOD.to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    Message::Request(Request::new(
        RequestId::from("layerwise-watch".to_string()),
        RegisterCapability::METHOD.to_string(),
        RegistrationParams {
            registrations: vec![registration],
        },
    ))
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection
        .sender
        .send(message)
        .map_err(|_| "the client closed the connection".to_string())
}

fn log(message: String) -> Message {
    Message::Notification(Notification::new(
        LogMessage::METHOD.to_string(),
        LogMessageParams {
            typ: MessageType::ERROR,
            message,
        },
    ))
}

/// Runs `answer` for request `id`; a panic inside it becomes an
/// `InternalError` response instead of taking the server down.
pub fn guarded(
    id: RequestId,
    answer: impl FnOnce() -> Result<serde_json::Value, String>,
) -> Response {
    match catch_unwind(AssertUnwindSafe(answer)) {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err(message)) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        Err(panic) => Response::new_err(
            id,
            ErrorCode::InternalError as i32,
            format!("internal error: {}", panic_message(panic.as_ref())),
        ),
    }
}

/// The open documents, each with its latest analysis.
#[derive(Default)]
pub struct Server {
    documents: HashMap<Url, (Document, Analysis)>,
}

fn params<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid parameters: {e}"))
}

impl Server {
    pub fn answer(&mut self, request: Request) -> Response {
        let Request {
            id,
            method,
            params: value,
        } = request;
        match method.as_str() {
            CodeActionRequest::METHOD => guarded(id, || self.code_actions(params(value)?)),
            HoverRequest::METHOD => guarded(id, || self.hover(params(value)?)),
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {method}"),
            ),
        }
    }

    fn code_actions(&self, p: lsp_types::CodeActionParams) -> Result<serde_json::Value, String> {
        let Some((document, analysis)) = self.documents.get(&p.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        let found = actions::code_actions(
            &p.text_document.uri,
            document,
            analysis,
            p.range,
            p.context.only.as_deref(),
        );
        serde_json::to_value(found).map_err(|e| e.to_string())
    }

    fn hover(&self, p: lsp_types::HoverParams) -> Result<serde_json::Value, String> {
        let at = p.text_document_position_params;
        let Some((document, analysis)) = self.documents.get(&at.text_document.uri) else {
            return Ok(serde_json::Value::Null);
        };
        serde_json::to_value(hover::hover(document, analysis, at.position))
            .map_err(|e| e.to_string())
    }

    /// Applies a notification; returns the messages to send (diagnostics).
    pub fn notified(&mut self, notification: Notification) -> Vec<Message> {
        let Notification {
            method,
            params: value,
        } = notification;
        match method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(value) else {
                    return Vec::new();
                };
                let document = Document::new(p.text_document.text, p.text_document.version);
                vec![self.analyze(p.text_document.uri, document)]
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(value) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some((mut document, _)) = self.documents.remove(&uri) else {
                    return Vec::new();
                };
                for change in p.content_changes {
                    document.apply(change);
                }
                document.version = p.text_document.version;
                vec![self.analyze(uri, document)]
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(value) else {
                    return Vec::new();
                };
                self.documents.remove(&p.text_document.uri);
                vec![publish(p.text_document.uri, Vec::new(), None)]
            }
            // A saved Dockerfile, configuration or .dockerignore can change
            // what every open document reports: check them all again.
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => {
                let open: Vec<Url> = self.documents.keys().cloned().collect();
                open.into_iter()
                    .filter_map(|uri| {
                        let (document, _) = self.documents.remove(&uri)?;
                        Some(self.analyze(uri, document))
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn analyze(&mut self, uri: Url, document: Document) -> Message {
        let path = uri.to_file_path().ok();
        let analysis = Analysis::run(&document, path.as_deref());
        let diagnostics = analysis.diagnostics(&uri, &document);
        let version = document.version;
        self.documents.insert(uri.clone(), (document, analysis));
        publish(uri, diagnostics, Some(version))
    }
}

fn publish(uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_request_becomes_an_internal_error_and_the_server_goes_on() {
        let response = guarded(RequestId::from(7), || panic!("boom"));
        let error = response.error.expect("error response");
        assert_eq!(error.code, ErrorCode::InternalError as i32);
        assert!(error.message.contains("boom"), "{}", error.message);

        let mut server = Server::default();
        let hover = Request::new(
            RequestId::from(8),
            HoverRequest::METHOD.to_string(),
            serde_json::json!({"textDocument": {"uri": "file:///x/Dockerfile"},
                               "position": {"line": 0, "character": 0}}),
        );
        let answered = server.answer(hover);
        assert!(answered.error.is_none(), "{answered:?}");
        assert_eq!(answered.result, Some(serde_json::Value::Null));
    }
}
