//! The lookup parameters of a request: read from a form, JSON or multipart
//! body and from the query string, the body winning for the same name, empty
//! values counting as absent, the first of `transaction_hash`,
//! `subscription_id`, `orderid` deciding.

use std::convert::Infallible;

use bytes::Bytes;
use hyper::header::HeaderValue;

use crate::scenario::LookupKey;

/// The lookup a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// Which parameter decided.
    pub key: LookupKey,
    /// Its value.
    pub value: String,
}

/// Why a body could not be read; the text completes `Malformed request body: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MalformedBody(pub String);

/// One value per lookup parameter, in [`LookupKey::ALL`] order.
type Found = [Option<String>; 3];

/// Reads the lookup from `body` (typed by `content_type`) and `query`.
/// `Ok(None)`: the body is fine but no lookup parameter is present.
pub async fn read_lookup(
    content_type: Option<&HeaderValue>,
    body: Bytes,
    query: Option<&str>,
) -> Result<Option<Lookup>, MalformedBody> {
    let from_body = if body.is_empty() {
        Found::default()
    } else {
        read_body(content_type, body).await?
    };
    let from_query = query.map(|q| from_pairs(form_urlencoded::parse(q.as_bytes())));
    let lookup = LookupKey::ALL.iter().enumerate().find_map(|(i, key)| {
        let value = from_body[i]
            .clone()
            .or_else(|| from_query.as_ref().and_then(|q| q[i].clone()))?;
        Some(Lookup { key: *key, value })
    });
    Ok(lookup)
}

fn slot(name: &str) -> Option<usize> {
    LookupKey::ALL.iter().position(|k| k.parameter() == name)
}

/// Keeps the first non-empty value of each lookup parameter; ignores the rest.
fn from_pairs<K: AsRef<str>, V: Into<String>>(pairs: impl Iterator<Item = (K, V)>) -> Found {
    let mut found = Found::default();
    for (name, value) in pairs {
        if let Some(i) = slot(name.as_ref()) {
            let value = value.into();
            if found[i].is_none() && !value.is_empty() {
                found[i] = Some(value);
            }
        }
    }
    found
}

async fn read_body(
    content_type: Option<&HeaderValue>,
    body: Bytes,
) -> Result<Found, MalformedBody> {
    let Some(content_type) = content_type else {
        // Some clients send a form body without saying so.
        return read_form(&body);
    };
    let text = content_type
        .to_str()
        .map_err(|_| MalformedBody("Content-Type is not readable text".into()))?;
    let mime: mime::Mime = text
        .parse()
        .map_err(|_| MalformedBody(format!("invalid Content-Type `{text}`")))?;
    match (mime.type_(), mime.subtype(), mime.suffix()) {
        (mime::APPLICATION, mime::WWW_FORM_URLENCODED, _) => read_form(&body),
        (mime::APPLICATION, mime::JSON, _) | (mime::APPLICATION, _, Some(mime::JSON)) => {
            read_json(&body)
        }
        (mime::MULTIPART, mime::FORM_DATA, _) => read_multipart(&mime, body).await,
        _ => Err(MalformedBody(format!(
            "unsupported Content-Type {}",
            mime.essence_str()
        ))),
    }
}

fn read_form(body: &[u8]) -> Result<Found, MalformedBody> {
    std::str::from_utf8(body).map_err(|_| MalformedBody("body is not valid UTF-8".into()))?;
    Ok(from_pairs(form_urlencoded::parse(body)))
}

fn read_json(body: &[u8]) -> Result<Found, MalformedBody> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| MalformedBody(format!("invalid JSON: {err}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(MalformedBody("JSON body must be an object".into()));
    };
    let mut pairs = Vec::new();
    for (name, value) in &object {
        if slot(name).is_none() {
            continue;
        }
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Null => String::new(),
            _ => {
                return Err(MalformedBody(format!(
                    "`{name}` must be a string or a number"
                )));
            }
        };
        pairs.push((name.as_str(), text));
    }
    Ok(from_pairs(pairs.into_iter()))
}

async fn read_multipart(mime: &mime::Mime, body: Bytes) -> Result<Found, MalformedBody> {
    let boundary = mime
        .get_param(mime::BOUNDARY)
        .ok_or_else(|| MalformedBody("multipart body without a boundary".into()))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary.as_str());
    let mut pairs = Vec::new();
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|err| MalformedBody(format!("invalid multipart body: {err}")))?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|err| MalformedBody(format!("invalid multipart body: {err}")))?;
        if slot(&name).is_some() {
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| MalformedBody(format!("field `{name}` is not valid UTF-8")))?;
            pairs.push((name, text));
        }
    }
    Ok(from_pairs(pairs.into_iter()))
}
