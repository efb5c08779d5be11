//! `GET /__mock/ui`: the QA console, one page to switch scenarios, follow
//! the journal, reset state and try a request, from a browser.
//!
//! Its HTML, CSS and JavaScript are built into the binary (`src/server/ui/`)
//! and served as they are: no build step, nothing fetched from elsewhere, so
//! it works on a machine with no network. The page has no inline script or
//! style, so [`CONTENT_SECURITY_POLICY`] allows only the mock's own origin;
//! the script calls only the admin API and the API endpoints of that origin.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::response::Answer;

/// The policy every file of the console is sent with: its own origin only,
/// `data:` images for the empty favicon, no framing, no form posts.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The console's files, each at its path under `/__mock/ui`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiAsset {
    /// `/__mock/ui` (and `/__mock/ui/`): the page.
    Page,
    /// `/__mock/ui/app.js`: its script.
    Script,
    /// `/__mock/ui/style.css`: its style sheet.
    Style,
}

impl UiAsset {
    /// The file at `path`, if any.
    pub fn of(path: &str) -> Option<UiAsset> {
        match path {
            "/__mock/ui" | "/__mock/ui/" => Some(UiAsset::Page),
            "/__mock/ui/app.js" => Some(UiAsset::Script),
            "/__mock/ui/style.css" => Some(UiAsset::Style),
            _ => None,
        }
    }

    /// Its bytes, as built into the binary.
    fn content(self) -> &'static str {
        match self {
            UiAsset::Page => include_str!("ui/index.html"),
            UiAsset::Script => include_str!("ui/app.js"),
            UiAsset::Style => include_str!("ui/style.css"),
        }
    }

    /// Its `Content-Type`.
    fn content_type(self) -> &'static str {
        match self {
            UiAsset::Page => "text/html; charset=utf-8",
            UiAsset::Script => "text/javascript; charset=utf-8",
            UiAsset::Style => "text/css; charset=utf-8",
        }
    }

    /// A 200 with the file, its type and the console's security headers.
    pub fn answer(self) -> Answer {
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type()),
        );
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // The files change only with the binary; `no-cache` makes a browser
        // ask again rather than keep a console an upgrade replaced.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        );
        Answer {
            status: StatusCode::OK,
            headers,
            body: Bytes::from_static(self.content().as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_names_its_file() {
        assert_eq!(UiAsset::of("/__mock/ui"), Some(UiAsset::Page));
        assert_eq!(UiAsset::of("/__mock/ui/"), Some(UiAsset::Page));
        assert_eq!(UiAsset::of("/__mock/ui/app.js"), Some(UiAsset::Script));
        assert_eq!(UiAsset::of("/__mock/ui/style.css"), Some(UiAsset::Style));
        assert_eq!(UiAsset::of("/__mock/ui/other.js"), None);
    }
}
