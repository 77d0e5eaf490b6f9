//! The client IP, resolved once per request: the TCP peer, unless the peer is a trusted proxy
//! and the configured header says otherwise. A malformed header from a trusted proxy is 400;
//! from anyone else the header is ignored.

use crate::AppState;
use crate::error::HttpError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use engine::RequestMeta;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let settings = state.engine.settings();
    let trusted = &state.engine.config().server.trusted_proxies;
    let header = settings
        .client_ip_header
        .as_deref()
        .and_then(|name| req.headers().get(name));
    let ip = match header {
        Some(value) if is_trusted(trusted, peer) => {
            match value.to_str().ok().and_then(|v| from_header(v, trusted)) {
                Some(ip) => ip,
                None => {
                    return HttpError::invalid(
                        "client_ip_header",
                        "malformed client IP header from the proxy",
                    )
                    .into_response();
                }
            }
        }
        _ => peer,
    };
    let user_agent = req
        .headers()
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    req.extensions_mut()
        .insert(RequestMeta::new(ip, user_agent));
    next.run(req).await
}

fn is_trusted(trusted: &[IpNet], ip: IpAddr) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// `X-Forwarded-For`-style lists: the rightmost address that is not a trusted proxy (the one
/// our own proxies saw); `X-Real-IP`-style single values likewise. None if any entry is bad.
fn from_header(value: &str, trusted: &[IpNet]) -> Option<IpAddr> {
    let addrs: Option<Vec<IpAddr>> = value.split(',').map(|s| parse_addr(s.trim())).collect();
    let addrs = addrs.filter(|a| !a.is_empty())?;
    addrs
        .iter()
        .rev()
        .find(|ip| !is_trusted(trusted, **ip))
        .or(addrs.first())
        .copied()
}

fn parse_addr(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            from_header("203.0.113.7", &trusted),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            from_header("198.51.100.1, 203.0.113.7, 10.0.0.2", &trusted),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            from_header("[2001:db8::1]:443", &trusted),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            from_header("203.0.113.7:8080", &trusted),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(from_header("unknown", &trusted), None);
        assert_eq!(from_header("1.2.3.4, nonsense", &trusted), None);
        assert_eq!(from_header("", &trusted), None);
    }
}
