//! Who is asking, and how often: the client's address (through the proxies the operator
//! trusts) and the per-address limits counted on it.
//!
//! - [`ClientAddress`]: the peer of the connection; when that peer is a trusted proxy,
//!   the right-most address in `X-Forwarded-For` that is not itself a trusted proxy (the
//!   left part of the header is whatever the client wrote, so it is never believed).
//! - [`AddressWindows`]: counts per address in fixed windows, in this node's memory.
//!   IPv6 clients count per /64, the block one subscriber usually holds. The map is
//!   bounded: when it is full of addresses seen in their current window, a new address
//!   is refused until windows end (many thousands of addresses at once is an attack).
//! - [`FailureLimiter`]: wrong API tokens and wrong pick-up codes per address. Past the
//!   limit every try from that address is refused until its window ends, a right one
//!   too: otherwise a guesser would still learn when a guess was right.
//!
//! This module never logs a token, a code or a header's value.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use orgca_model::UnixTime;

use crate::{AppState, Problem};

/// Addresses remembered at once by one [`AddressWindows`].
const TRACKED: usize = 10_000;

/// A network of trusted proxies: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Reads `ADDRESS` or `ADDRESS/PREFIX` (`10.0.0.0/8`, `::1`, `fd00::/8`). The error
    /// says what to write instead.
    pub fn parse(s: &str) -> Result<ProxyNet, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| {
            format!("{s:?} is not an IP address or network: write 10.0.0.5, 10.0.0.0/8 or fd00::/8")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(ProxyNet { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| -> (u128, u32) {
            match ip {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        };
        let ip = canonical(ip);
        let ((net, width), (candidate, candidate_width)) = (bits(self.addr), bits(ip));
        if width != candidate_width {
            return false;
        }
        let mask = if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(self.prefix))
        };
        net & mask == candidate & mask
    }
}

/// An IPv4 client reached over IPv6 (`::ffff:a.b.c.d`) is the IPv4 client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` orgca believes (none by default).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<ProxyNet>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then,
    /// reading `X-Forwarded-For` from the right, the first address that is not a trusted
    /// proxy (the last trusted one when all are; `peer` when the header is absent or
    /// unreadable).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&HeaderValue]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = forwarded_for
            .iter()
            .rev()
            .flat_map(|v| v.to_str().unwrap_or("").rsplit(','));
        for hop in hops {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                return client;
            };
            client = canonical(ip);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// The address of the client behind a request (see [`TrustedProxies::client`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |c| c.0.ip());
        let forwarded: Vec<&HeaderValue> =
            parts.headers.get_all("x-forwarded-for").iter().collect();
        Ok(ClientAddress(
            state.trusted_proxies.client(peer, &forwarded),
        ))
    }
}

/// Counts per key (an address, a token) in fixed windows, bounded in what it remembers
/// (see the module's documentation).
#[derive(Debug)]
pub struct Windows<K> {
    limit: u32,
    window: i64,
    /// Per key: when its window began, and the count in it.
    counts: Mutex<HashMap<K, (i64, u32)>>,
}

/// Counts per client address in fixed windows (see the module's documentation).
#[derive(Debug)]
pub struct AddressWindows(Windows<IpAddr>);

/// The key an address counts under: IPv6 per /64.
fn key(addr: IpAddr) -> IpAddr {
    match canonical(addr) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

impl AddressWindows {
    /// `limit` per address in each window of `window_secs` seconds.
    pub fn new(limit: u32, window_secs: i64) -> AddressWindows {
        AddressWindows(Windows::new(limit, window_secs))
    }

    /// Counts one for `addr` at `now`. `Ok` while within the limit; else `Err` with the
    /// seconds until the window ends.
    pub fn count(&self, addr: IpAddr, now: UnixTime) -> Result<(), i64> {
        self.0.count(key(addr), now)
    }

    /// Whether one more for `addr` at `now` would be within the limit, without
    /// counting it; `Err` with the seconds until the window ends.
    pub fn check(&self, addr: IpAddr, now: UnixTime) -> Result<(), i64> {
        self.0.check(key(addr), now)
    }
}

impl<K: std::hash::Hash + Eq + Copy> Windows<K> {
    /// `limit` per key in each window of `window_secs` seconds.
    pub fn new(limit: u32, window_secs: i64) -> Windows<K> {
        Windows {
            limit,
            window: window_secs,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// The count allowed in a window.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts one for `key` at `now`. `Ok` while within the limit; else `Err` with the
    /// seconds until the window ends.
    pub fn count(&self, key: K, now: UnixTime) -> Result<(), i64> {
        self.with_entry(key, now, true)
    }

    /// Whether one more for `key` at `now` would be within the limit, without counting
    /// it; `Err` with the seconds until the window ends.
    pub fn check(&self, key: K, now: UnixTime) -> Result<(), i64> {
        self.with_entry(key, now, false)
    }

    fn with_entry(&self, key: K, now: UnixTime, counted: bool) -> Result<(), i64> {
        let now = now.secs();
        let Ok(mut counts) = self.counts.lock() else {
            return Err(self.window);
        };
        if counts.len() >= TRACKED && !counts.contains_key(&key) {
            counts.retain(|_, (start, _)| now < *start + self.window);
            // Still full: new addresses wait until windows end, rather than grow the map.
            if counts.len() >= TRACKED {
                return Err(self.window);
            }
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now >= entry.0 + self.window || now < entry.0 {
            *entry = (now, 0);
        }
        if counted {
            entry.1 = entry.1.saturating_add(1);
        }
        let used = if counted {
            entry.1
        } else {
            entry.1.saturating_add(1)
        };
        if used <= self.limit {
            Ok(())
        } else {
            Err((entry.0 + self.window - now).max(1))
        }
    }
}

/// Wrong API tokens and wrong pick-up codes allowed per client address in a window, by
/// default (`limits.failures_per_address`).
pub const FAILURES_ALLOWED: u32 = 20;
/// The window, in seconds (15 minutes).
pub const FAILURE_WINDOW: i64 = 15 * 60;

/// Wrong API tokens and wrong pick-up codes per client address (on each node).
#[derive(Debug)]
pub struct FailureLimiter(AddressWindows);

impl FailureLimiter {
    /// `allowed` failures per address in each window of [`FAILURE_WINDOW`].
    pub fn new(allowed: u32) -> FailureLimiter {
        FailureLimiter(AddressWindows::new(allowed, FAILURE_WINDOW))
    }

    /// `Err` with a 429 problem when `addr` is past the limit: nothing of the request is
    /// checked, so that a right guess looks like a wrong one.
    pub(crate) fn check(&self, addr: ClientAddress, now: UnixTime) -> Result<(), TooManyFailures> {
        self.0.check(addr.0, now).map_err(|wait| TooManyFailures {
            allowed: self.0.0.limit,
            wait,
        })
    }

    /// Counts a failure of `addr`.
    pub(crate) fn failed(&self, addr: ClientAddress, now: UnixTime) {
        if self.0.count(addr.0, now).is_err() {
            tracing::warn!(client = %addr.0, "too many wrong tokens or codes from one address: refused for now");
        }
    }
}

/// A refusal for too many failures.
#[derive(Debug, Clone, Copy)]
pub struct TooManyFailures {
    /// The failures an address may have in a window.
    pub allowed: u32,
    /// Seconds until the address may try again.
    pub wait: i64,
}

impl TooManyFailures {
    /// The words for the client.
    pub fn detail(&self) -> String {
        format!(
            "too many wrong tokens or one-time codes from your address ({} in 15 minutes): try again in {} seconds",
            self.allowed, self.wait
        )
    }

    /// A `Retry-After` header's value.
    pub fn retry_after(&self) -> HeaderValue {
        HeaderValue::from(self.wait)
    }
}

impl IntoResponse for TooManyFailures {
    fn into_response(self) -> Response {
        let mut resp = Problem {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_failures",
            detail: self.detail(),
        }
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, self.retry_after());
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn hv(s: &'static str) -> HeaderValue {
        HeaderValue::from_static(s)
    }

    #[test]
    fn networks_are_read_and_matched() {
        let net = ProxyNet::parse("10.0.0.0/8").expect("net");
        assert!(net.contains(ip("10.200.1.2")));
        assert!(net.contains(ip("::ffff:10.1.2.3")));
        assert!(!net.contains(ip("11.0.0.1")));
        let one = ProxyNet::parse("::1").expect("one");
        assert!(one.contains(ip("::1")) && !one.contains(ip("::2")));
        assert!(
            ProxyNet::parse("0.0.0.0/0")
                .expect("all")
                .contains(ip("8.8.8.8"))
        );
        for bad in ["10.0.0.0/33", "proxy.example", "10.0.0/8", "::1/129", ""] {
            assert!(ProxyNet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_read_through_trusted_proxies_only() {
        let trusted = TrustedProxies(vec![
            ProxyNet::parse("127.0.0.1").expect("net"),
            ProxyNet::parse("10.0.0.0/8").expect("net"),
        ]);
        // No proxy trusted: the peer, whatever the header says.
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("127.0.0.1"), &[&hv("1.2.3.4")]),
            ip("127.0.0.1")
        );
        // An untrusted peer's header is not believed.
        assert_eq!(
            trusted.client(ip("8.8.8.8"), &[&hv("1.2.3.4")]),
            ip("8.8.8.8")
        );
        // From the right: the first address that is not a trusted proxy. The client's
        // own claim on the left is not reached.
        let h = hv("6.6.6.6, 1.2.3.4, 10.0.0.7");
        assert_eq!(trusted.client(ip("127.0.0.1"), &[&h]), ip("1.2.3.4"));
        // Several headers read as one list, last header last.
        let (a, b) = (hv("6.6.6.6"), hv("5.5.5.5, 10.1.1.1"));
        assert_eq!(trusted.client(ip("127.0.0.1"), &[&a, &b]), ip("5.5.5.5"));
        // An unreadable hop stops the walk at the last address believed.
        let h = hv("1.2.3.4, garbage, 10.0.0.7");
        assert_eq!(trusted.client(ip("127.0.0.1"), &[&h]), ip("10.0.0.7"));
        assert_eq!(trusted.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
    }

    #[test]
    fn windows_count_per_address_and_per_ipv6_block_and_end() {
        let w = AddressWindows::new(2, 60);
        let t = UnixTime::from_secs(1_000);
        let a = ip("192.0.2.1");
        assert!(w.count(a, t).is_ok() && w.check(a, t).is_ok() && w.count(a, t).is_ok());
        assert_eq!(w.check(a, t), Err(60), "a third would be past the limit");
        assert_eq!(w.count(a, t), Err(60));
        assert_eq!(w.check(a, UnixTime::from_secs(1_030)), Err(30));
        assert!(w.check(ip("192.0.2.2"), t).is_ok(), "another address");
        assert!(
            w.check(a, UnixTime::from_secs(1_060)).is_ok(),
            "the window ended"
        );
        let (v6a, v6b) = (ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert!(w.count(v6a, t).is_ok() && w.count(v6b, t).is_ok());
        assert!(w.count(ip("2001:db8:1:2::77"), t).is_err(), "one /64");
        assert!(w.check(ip("2001:db8:1:3::1"), t).is_ok(), "another /64");
    }
}
