//! The admin token: with `--admin-token`, every `/__mock/` path but the
//! health check and the QA console's files needs `Authorization: Bearer
//! TOKEN`. The token is compared in constant time, and never logged, shown
//! by `Debug`, or echoed in an answer.

use std::fmt;

use constant_time_eq::constant_time_eq;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderValue};

use super::response::{self, Answer};

/// The token the admin API asks for.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken(String);

/// Why a token was refused at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the admin token is empty")]
pub struct EmptyToken;

impl AdminToken {
    /// A token, refused when empty (it would let any caller in whose header
    /// is `Bearer ` alone).
    pub fn new(token: impl Into<String>) -> Result<AdminToken, EmptyToken> {
        let token = token.into();
        if token.is_empty() {
            return Err(EmptyToken);
        }
        Ok(AdminToken(token))
    }

    /// A token read from a file (a secret mounted as one): its text, the
    /// one line ending a file usually has removed.
    pub fn from_file_text(text: &str) -> Result<AdminToken, EmptyToken> {
        let line = text.strip_suffix('\n').unwrap_or(text);
        AdminToken::new(line.strip_suffix('\r').unwrap_or(line))
    }

    /// Whether `headers` carry `Authorization: Bearer` and this token. The
    /// comparison takes the same time however much of the token matches.
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return false;
        };
        let value = value.as_bytes();
        // The scheme is case-insensitive (RFC 9110); one space follows it.
        let Some((scheme, token)) = value.split_at_checked(7) else {
            return false;
        };
        scheme.eq_ignore_ascii_case(b"bearer ") && constant_time_eq(token, self.0.as_bytes())
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<hidden>)")
    }
}

/// The 401 an admin call without the token gets.
pub fn refused() -> Answer {
    let mut answer = response::mock_error(
        StatusCode::UNAUTHORIZED,
        "admin-token",
        "Missing or invalid admin token",
    );
    answer
        .headers
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("header"),
        );
        headers
    }

    #[test]
    fn only_the_bearer_scheme_with_the_whole_token_is_admitted() {
        let token = AdminToken::new("s3cret-token").expect("token");
        assert!(token.admits(&headers("Bearer s3cret-token")));
        assert!(token.admits(&headers("bearer s3cret-token")));
        assert!(!token.admits(&HeaderMap::new()));
        for wrong in [
            "Bearer s3cret-toke",
            "Bearer s3cret-tokens",
            "Bearer  s3cret-token",
            "Basic s3cret-token",
            "s3cret-token",
            "Bearer ",
            "Bearer",
            "",
        ] {
            assert!(!token.admits(&headers(wrong)), "{wrong:?}");
        }
    }

    #[test]
    fn an_empty_token_is_refused_and_a_files_line_ending_is_not_part_of_it() {
        assert_eq!(AdminToken::new(""), Err(EmptyToken));
        assert_eq!(AdminToken::from_file_text("\n"), Err(EmptyToken));
        let token = AdminToken::from_file_text("abc\r\n").expect("token");
        assert!(token.admits(&headers("Bearer abc")));
        // Only one line ending goes: what is left is the token, whole.
        let token = AdminToken::from_file_text("abc\n\n").expect("token");
        assert!(!token.admits(&headers("Bearer abc")));
    }

    /// A wrong token takes as long to refuse whether its first byte or its
    /// last is wrong: a comparison that stops at the first difference (as
    /// `==` does) would tell a caller how much of a guess was right. A
    /// 64 KiB token makes such a difference several times the rest of the
    /// work (`==` measured 5.5 times slower for the last byte); medians of
    /// alternated rounds keep a busy machine out of it.
    #[test]
    fn a_wrong_token_takes_as_long_whichever_byte_is_wrong() {
        let secret = "t".repeat(64 * 1024);
        let token = AdminToken::new(secret.clone()).expect("token");
        let first_wrong = headers(&format!("Bearer x{}", &secret[1..]));
        let last_wrong = headers(&format!("Bearer {}x", &secret[1..]));
        let time = |headers: &HeaderMap| {
            let started = std::time::Instant::now();
            for _ in 0..20 {
                assert!(!token.admits(std::hint::black_box(headers)));
            }
            started.elapsed().as_secs_f64()
        };
        let mut ratios: Vec<f64> = (0..15)
            .map(|_| time(&last_wrong) / time(&first_wrong))
            .collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        assert!((0.5..2.0).contains(&median), "last/first: {median:.2}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = AdminToken::new("s3cret-token").expect("token");
        assert_eq!(format!("{token:?}"), "AdminToken(<hidden>)");
    }
}
