//! A minimal HTTP/1.0 exchange with the engine for the few answers bollard's
//! typed models do not carry on older APIs (ping headers, the pre-1.52
//! `/system/df` layout).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::EngineError;
use crate::connect::Address;

/// A response: status code, headers (lower-cased names) and body.
#[derive(Debug, Clone, Default)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` and reads the whole response. HTTP/1.0 keeps the server
/// from chunking the body, which then ends when the connection closes.
pub async fn get(address: &Address, path: &str) -> Result<RawResponse, EngineError> {
    let request = format!("GET {path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: layerwise\r\n\r\n");
    let stream = crate::connect::dial(address).await.map_err(io_error)?;
    let bytes = exchange(stream, &request).await?;
    parse(&bytes).ok_or_else(|| EngineError::Protocol(format!("malformed response to GET {path}")))
}

fn io_error(err: std::io::Error) -> EngineError {
    EngineError::Protocol(err.to_string())
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> Result<Vec<u8>, EngineError> {
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(io_error)?;
    let mut bytes = Vec::new();
    // Bounded: engine answers here are small JSON documents.
    (&mut stream)
        .take(64 << 20)
        .read_to_end(&mut bytes)
        .await
        .map_err(io_error)?;
    Ok(bytes)
}

fn parse(bytes: &[u8]) -> Option<RawResponse> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(RawResponse {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_headers_and_body() {
        let response =
            parse(b"HTTP/1.0 200 OK\r\nApi-Version: 1.41\r\nBuilder-Version: 2\r\n\r\nOK").unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("builder-version"), Some("2"));
        assert_eq!(response.body, b"OK");
        assert!(parse(b"garbage").is_none());
    }
}
