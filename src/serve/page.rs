//! The web page: one static HTML file embedded in the binary, with its styles and script
//! inline and nothing loaded from elsewhere (the Content-Security-Policy forbids it), so it
//! works offline. It posts each pasted or dropped input to `$validate` and shows the verdict,
//! the findings (severity, code, location, line:column) and the source line of the one chosen.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The page.
pub(crate) const PAGE: &str = include_str!("page.html");

/// What the page may load: only itself and its own service.
const POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                      connect-src 'self'; base-uri 'none'; form-action 'none'; \
                      frame-ancestors 'none'";

pub(crate) async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        for needle in ["http://", "https://", "src=", "<link", "@import", "url("] {
            assert!(!super::PAGE.contains(needle), "{needle}");
        }
    }
}
