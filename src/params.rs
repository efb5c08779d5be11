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

/// The values of the parameters a request was read for, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    names: &'static [&'static str],
    values: Vec<Option<String>>,
}

impl Params {
    /// The value of `name`, if it was given (and asked for).
    pub fn get(&self, name: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| *n == name)?;
        self.values[i].as_deref()
    }
}

/// The parameters that are yes/no flags, which a JSON body may give as booleans.
const FLAGS: &[&str] = &["reverse", "approved"];

/// The lookup parameters' names, in [`LookupKey::ALL`] order.
const LOOKUP_NAMES: &[&str] = &["transaction_hash", "subscription_id", "orderid"];

/// Reads the lookup from `body` (typed by `content_type`) and `query`.
/// `Ok(None)`: the body is fine but no lookup parameter is present.
pub async fn read_lookup(
    content_type: Option<&HeaderValue>,
    body: Bytes,
    query: Option<&str>,
) -> Result<Option<Lookup>, MalformedBody> {
    // On the stack: a lookup reads three names.
    let mut values = [const { None }; LOOKUP_NAMES.len()];
    read_into(content_type, body, query, LOOKUP_NAMES, &mut values).await?;
    // The values come in `LookupKey::ALL` order: the first present decides.
    let lookup = LookupKey::ALL
        .iter()
        .zip(&mut values)
        .find_map(|(key, value)| {
            Some(Lookup {
                key: *key,
                value: value.take()?,
            })
        });
    Ok(lookup)
}

/// Reads the parameters called `names` from `body` (typed by
/// `content_type`) and `query`: the body wins for the same name, the first
/// non-empty value of a name counts, other names are ignored.
pub async fn read_params(
    content_type: Option<&HeaderValue>,
    body: Bytes,
    query: Option<&str>,
    names: &'static [&'static str],
) -> Result<Params, MalformedBody> {
    let mut values = vec![None; names.len()];
    read_into(content_type, body, query, names, &mut values).await?;
    Ok(Params { names, values })
}

/// Reads the values of `names` into `values` (one slot per name, in their
/// order), the body's first and then the query's, each only into a slot
/// still empty: the body wins for the same name, and the first non-empty
/// value of a name counts.
async fn read_into(
    content_type: Option<&HeaderValue>,
    body: Bytes,
    query: Option<&str>,
    names: &'static [&'static str],
    values: &mut [Option<String>],
) -> Result<(), MalformedBody> {
    if !body.is_empty() {
        read_body(content_type, body, names, values).await?;
    }
    if let Some(query) = query {
        read_pairs(query, names, values);
    }
    Ok(())
}

/// Puts each pair's value into its name's slot of `values`, if the slot is
/// still empty and the value is not; ignores other names.
fn from_pairs<K: AsRef<str>, V: Into<String>>(
    names: &'static [&'static str],
    pairs: impl Iterator<Item = (K, V)>,
    values: &mut [Option<String>],
) {
    for (name, value) in pairs {
        if let Some(i) = names.iter().position(|n| *n == name.as_ref()) {
            let value = value.into();
            if values[i].is_none() && !value.is_empty() {
                values[i] = Some(value);
            }
        }
    }
}

async fn read_body(
    content_type: Option<&HeaderValue>,
    body: Bytes,
    names: &'static [&'static str],
    values: &mut [Option<String>],
) -> Result<(), MalformedBody> {
    let Some(content_type) = content_type else {
        // Some clients send a form body without saying so.
        return read_form(&body, names, values);
    };
    // The type the API page's examples send, with nothing after it, needs
    // no parsing.
    if content_type
        .as_bytes()
        .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    {
        return read_form(&body, names, values);
    }
    let text = content_type
        .to_str()
        .map_err(|_| MalformedBody("Content-Type is not readable text".into()))?;
    let mime: mime::Mime = text
        .parse()
        .map_err(|_| MalformedBody(format!("invalid Content-Type `{text}`")))?;
    match (mime.type_(), mime.subtype(), mime.suffix()) {
        (mime::APPLICATION, mime::WWW_FORM_URLENCODED, _) => read_form(&body, names, values),
        (mime::APPLICATION, mime::JSON, _) | (mime::APPLICATION, _, Some(mime::JSON)) => {
            read_json(&body, names, values)
        }
        // Boxed: the multipart reader's state is large, and held inline it
        // would be moved along with every request's parameter reading.
        (mime::MULTIPART, mime::FORM_DATA, _) => {
            Box::pin(read_multipart(&mime, body, names, values)).await
        }
        _ => Err(MalformedBody(format!(
            "unsupported Content-Type {}",
            mime.essence_str()
        ))),
    }
}

fn read_form(
    body: &[u8],
    names: &'static [&'static str],
    values: &mut [Option<String>],
) -> Result<(), MalformedBody> {
    let text =
        std::str::from_utf8(body).map_err(|_| MalformedBody("body is not valid UTF-8".into()))?;
    read_pairs(text, names, values);
    Ok(())
}

/// The values of `names` in a form (a body or a query string).
///
/// A form with no `%` and no `+`, as most are, has nothing to decode: its
/// names and values are its text between `&` and `=`, as form_urlencoded
/// would give them, without its three passes over every name and value (an
/// empty pair, which it skips, has an empty value, which counts as absent).
/// Any other form goes through form_urlencoded.
fn read_pairs(form: &str, names: &'static [&'static str], values: &mut [Option<String>]) {
    if memchr::memchr2(b'%', b'+', form.as_bytes()).is_some() {
        return from_pairs(names, form_urlencoded::parse(form.as_bytes()), values);
    }
    // Split at bytes found by memchr rather than by `str::split`'s general
    // searcher: `&` and `=` are ASCII, so every piece is still text.
    let bytes = form.as_bytes();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'&', bytes).chain([bytes.len()]);
    let pairs = ends.map(|end| {
        let pair = &form[start..end];
        start = end + 1;
        match memchr::memchr(b'=', pair.as_bytes()) {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, ""),
        }
    });
    from_pairs(names, pairs, values);
}

fn read_json(
    body: &[u8],
    names: &'static [&'static str],
    values: &mut [Option<String>],
) -> Result<(), MalformedBody> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| MalformedBody(format!("invalid JSON: {err}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(MalformedBody("JSON body must be an object".into()));
    };
    let mut pairs = Vec::new();
    for (name, value) in &object {
        if !names.contains(&name.as_str()) {
            continue;
        }
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            // Flags (`reverse`, `approved`) may be JSON booleans too.
            serde_json::Value::Bool(b) if FLAGS.contains(&name.as_str()) => b.to_string(),
            serde_json::Value::Null => String::new(),
            _ => {
                return Err(MalformedBody(format!(
                    "`{name}` must be a string or a number"
                )));
            }
        };
        pairs.push((name.as_str(), text));
    }
    from_pairs(names, pairs.into_iter(), values);
    Ok(())
}

async fn read_multipart(
    mime: &mime::Mime,
    body: Bytes,
    names: &'static [&'static str],
    values: &mut [Option<String>],
) -> Result<(), MalformedBody> {
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
        if names.contains(&name.as_str()) {
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| MalformedBody(format!("field `{name}` is not valid UTF-8")))?;
            pairs.push((name, text));
        }
    }
    from_pairs(names, pairs.into_iter(), values);
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every name a generated form may use.
    const NAMES: &[&str] = &["a", "b", "é", "a b", "a+b", ""];

    /// A form's text: names, values and separators, escapes or not.
    fn form(escapes: bool) -> impl Strategy<Value = String> {
        let pieces = if escapes {
            "(a|b|é|=|&|%20|%|%zz|%C3%A9|\\+|x|1)"
        } else {
            "(a|b|é|=|&|x|1| )"
        };
        proptest::collection::vec(proptest::string::string_regex(pieces).unwrap(), 0..12)
            .prop_map(|pieces| pieces.concat())
    }

    /// The parameters `NAMES` get from `fill`, given a slot per name.
    fn filled(fill: impl FnOnce(&mut [Option<String>])) -> Params {
        let mut values = vec![None; NAMES.len()];
        fill(&mut values);
        Params {
            names: NAMES,
            values,
        }
    }

    /// What form_urlencoded makes of `form`, for `NAMES`.
    fn decoded(form: &str) -> Params {
        filled(|values| from_pairs(NAMES, form_urlencoded::parse(form.as_bytes()), values))
    }

    /// What `read_pairs` makes of `form`, for `NAMES`.
    fn read(form: &str) -> Params {
        filled(|values| read_pairs(form, NAMES, values))
    }

    proptest! {
        #[test]
        fn a_form_reads_as_form_urlencoded_decodes_it(escapes in any::<bool>(), form in form(false), escaped in form(true)) {
            let form = if escapes { escaped } else { form };
            prop_assert_eq!(read(&form), decoded(&form));
        }
    }

    #[test]
    fn a_form_with_nothing_to_decode_is_split_as_form_urlencoded_splits_it() {
        for form in [
            "",
            "&",
            "==",
            "a",
            "a=",
            "=1",
            "a=1&&b=2",
            "&a=x=y&",
            "a=&a=2",
            "é=ü&b= 1 ",
        ] {
            assert_eq!(read(form), decoded(form), "{form:?}");
        }
        let read = read("a=x=y&b&a=2&=3");
        assert_eq!(read.get("a"), Some("x=y"));
        assert_eq!(read.get("b"), None);
    }

    #[test]
    fn a_form_with_escapes_is_decoded() {
        let read = read("a%20b=1+2&a%2Bb=%C3%A9&b=%zz");
        assert_eq!(read.get("a b"), Some("1 2"));
        assert_eq!(read.get("a+b"), Some("é"));
        assert_eq!(read.get("b"), Some("%zz"));
    }

    #[test]
    fn a_json_boolean_is_read_for_a_flag_only() {
        const FLAG_AND_ORDER: &[&str] = &["reverse", "orderid"];
        let mut values = vec![None; FLAG_AND_ORDER.len()];
        read_json(br#"{"reverse": true}"#, FLAG_AND_ORDER, &mut values).unwrap();
        assert_eq!(values, [Some("true".to_string()), None]);
        let mut values = vec![None; FLAG_AND_ORDER.len()];
        let refused = read_json(br#"{"orderid": false}"#, FLAG_AND_ORDER, &mut values);
        assert_eq!(
            refused,
            Err(MalformedBody(
                "`orderid` must be a string or a number".into()
            ))
        );
    }

    #[test]
    fn the_lookup_names_follow_the_lookup_keys() {
        // `read_lookup` pairs each value with its key by position.
        let names: Vec<&str> = LookupKey::ALL.iter().map(|k| k.parameter()).collect();
        assert_eq!(names, LOOKUP_NAMES);
    }
}
