//! What an answer was: a click's body, or an error of one of the scenario
//! format's kinds (or of none).

use crate::api_error::ErrorKind;
use crate::contract::json::{self, Json};
use crate::contract::upstream::Answer;

/// What an answer was.
pub(super) enum Kept {
    /// A click's body.
    Click(Json),
    /// An error, with its kind when one of the format's fits.
    Error {
        /// The kind, when one fits.
        kind: Option<ErrorKind>,
        /// The envelope's message, when there is one.
        message: Option<String>,
    },
}

/// What an answer is: a click body (200 with JSON that is not an error
/// envelope) or an error.
pub(super) fn classify(answer: &Answer) -> Kept {
    let parsed = json::parse(&answer.body).ok();
    let message = parsed
        .as_ref()
        .and_then(|body| body.get("message"))
        .and_then(Json::as_str)
        .map(str::to_string);
    let is_error_envelope = parsed
        .as_ref()
        .and_then(|body| body.get("result"))
        .and_then(Json::as_str)
        == Some("error");
    match parsed {
        Some(body) if answer.status == 200 && !is_error_envelope => Kept::Click(body),
        _ => Kept::Error {
            kind: error_kind(answer.status, message.as_deref()),
            message,
        },
    }
}

/// The error kind an answer to a lookup (which carried credentials and a
/// parameter) stands for: by its message when it is one of the contract's,
/// else by its status. `None` for statuses no kind answers (429, 5xx...).
pub fn error_kind(status: u16, message: Option<&str>) -> Option<ErrorKind> {
    if let Some(message) = message {
        if let Some(kind) = ErrorKind::ALL
            .into_iter()
            .find(|k| k.default_message() == message)
        {
            return Some(kind);
        }
        if message.starts_with(ErrorKind::MalformedBody.default_message()) {
            return Some(ErrorKind::MalformedBody);
        }
    }
    let about_address = message.is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("address") || m.split(|c: char| !c.is_alphanumeric()).any(|w| w == "ip")
    });
    match status {
        401 => Some(ErrorKind::InvalidCredentials),
        403 if about_address => Some(ErrorKind::IpNotAllowed),
        403 => Some(ErrorKind::InvalidCredentials),
        405 => Some(ErrorKind::MethodNotAllowed),
        413 => Some(ErrorKind::BodyTooLarge),
        // A lookup that carried its parameter and was refused without a
        // better reason found nothing, whatever status the server chose.
        200 | 400 | 404 | 410 | 422 => Some(ErrorKind::NotFound),
        _ => None,
    }
}

/// A short, one-line view of a body for a comment.
pub(super) fn excerpt(body: &[u8]) -> String {
    const LIMIT: usize = 160;
    let text = match json::parse(body) {
        Ok(json) => json.to_compact(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.is_empty() {
        "(no body)".into()
    } else if text.chars().count() > LIMIT {
        format!("{}...", text.chars().take(LIMIT).collect::<String>())
    } else {
        text
    }
}
