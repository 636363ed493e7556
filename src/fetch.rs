//! Loading stills from http(s) URLs, with caps on size, time and redirects, and (unless
//! allowed) a refusal to contact loopback, private, link-local or other internal addresses.
//!
//! The address check runs inside the resolver, on the addresses actually connected to, for
//! the first request and for every redirect, so DNS tricks and redirects cannot get round it.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::error::{Error, Result};
use crate::load::{LoadLimits, Still};

/// How a URL may be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Allow loopback, private, link-local and other non-public addresses.
    pub allow_private: bool,
    /// Largest download accepted, in bytes.
    pub max_bytes: u64,
    /// Time allowed for the whole exchange, redirects included.
    pub timeout: Duration,
    /// Redirects followed at most.
    pub max_redirects: u32,
    /// Decoding limits for the downloaded image.
    pub limits: LoadLimits,
}

impl Default for FetchPolicy {
    /// Public addresses only, 25 MB, 20 s, 5 redirects, default decoding limits.
    fn default() -> Self {
        Self {
            allow_private: false,
            max_bytes: 25 * 1024 * 1024,
            timeout: Duration::from_secs(20),
            max_redirects: 5,
            limits: LoadLimits::default(),
        }
    }
}

/// The slowest a download may be: after `grace`, it must have averaged `bytes_per_sec`
/// since it started (with `grace` of slack), or it is cut off as too slow. A slow sender
/// thus holds a download slot for `grace` plus what the minimum rate allows, not for the
/// whole timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinRate {
    /// Bytes a second, averaged from the start.
    pub bytes_per_sec: u64,
    /// Slack before the rate is enforced (and added to what it allows).
    pub grace: Duration,
}

impl Default for MinRate {
    /// 4 kB/s (32 kbit/s) after 5 s.
    fn default() -> Self {
        Self {
            bytes_per_sec: 4 * 1024,
            grace: Duration::from_secs(5),
        }
    }
}

impl MinRate {
    /// The latest instant, counted from the start, by which `received` bytes must be in.
    #[must_use]
    pub fn allowed(&self, received: u64) -> Duration {
        let rate = self.bytes_per_sec.max(1);
        self.grace + Duration::from_secs_f64(received as f64 / rate as f64)
    }

    /// Whether `received` bytes after `elapsed` is too slow.
    #[must_use]
    pub fn too_slow(&self, received: u64, elapsed: Duration) -> bool {
        elapsed > self.allowed(received)
    }
}

impl Still {
    /// Downloads and decodes a still under [`FetchPolicy::default`] (public addresses only).
    pub fn from_url(url: &str) -> Result<Still> {
        Self::from_url_with(url, &FetchPolicy::default())
    }

    /// Downloads and decodes a still under `policy`.
    pub fn from_url_with(url: &str, policy: &FetchPolicy) -> Result<Still> {
        let bytes = fetch_bytes(url, policy)?;
        Still::from_bytes_with_limits(&bytes, policy.limits)
    }
}

/// Checks that `url` is an absolute http(s) URL with a host.
pub fn check_url(url: &str) -> Result<Uri> {
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|_| Error::InvalidUrl(format!("{url:?} is not a URL")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(Error::InvalidUrl(format!(
                "{url:?}: only http and https are supported, not {other}"
            )))
        }
        None => {
            return Err(Error::InvalidUrl(format!(
                "{url:?} is not an absolute http(s) URL"
            )))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(Error::InvalidUrl(format!("{url:?} has no host")));
    }
    check_port(url, &uri)?;
    Ok(uri)
}

/// Refuses a port outside 1..=65535: `http::Uri` accepts any digits there, and a port it
/// cannot read as a `u16` would otherwise be dropped for the scheme's default.
fn check_port(url: &str, uri: &Uri) -> Result<()> {
    let Some(authority) = uri.authority() else {
        return Ok(());
    };
    let host_port = authority.as_str().rsplit('@').next().unwrap_or_default();
    // An IPv6 literal is bracketed: the port, if any, follows the closing bracket.
    let after_host = host_port
        .rsplit_once(']')
        .map_or(host_port, |(_, rest)| rest);
    let Some((_, port)) = after_host.rsplit_once(':') else {
        return Ok(());
    };
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ if port.is_empty() => Ok(()), // "host:" is the default port (RFC 3986)
        _ => Err(Error::InvalidUrl(format!(
            "{url:?}: the port must be a number from 1 to 65535 (got {port:?})"
        ))),
    }
}

/// Downloads the body at `url` under `policy`, at [`MinRate::default`] or faster.
pub fn fetch_bytes(url: &str, policy: &FetchPolicy) -> Result<Vec<u8>> {
    fetch_bytes_paced(url, policy, MinRate::default())
}

/// Downloads the body at `url` under `policy`; a sender slower than `min_rate` is cut off
/// ([`Error::FetchTimeout`]).
pub fn fetch_bytes_paced(url: &str, policy: &FetchPolicy, min_rate: MinRate) -> Result<Vec<u8>> {
    let uri = check_url(url)?;
    let config = Config::builder()
        .timeout_global(Some(policy.timeout))
        // The answer's head must come within the grace period too.
        .timeout_recv_response(Some(min_rate.grace.min(policy.timeout)))
        .max_redirects(policy.max_redirects)
        .proxy(None)
        .user_agent(concat!("color-palettes/", env!("CARGO_PKG_VERSION")))
        .build();
    let resolver = GuardedResolver {
        allow_private: policy.allow_private,
    };
    let agent = ureq::Agent::with_parts(config, DefaultConnector::default(), resolver);
    let mut response = agent
        .get(uri)
        .call()
        .map_err(|e| fetch_error(url, policy, e))?;
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > policy.max_bytes) {
        return Err(too_large(url, policy));
    }
    // The limit reserved up front (only the pages written become resident; the declared
    // length may be that of a compressed body): a growing Vec would copy itself at each
    // doubling, holding up to three times the body at once.
    let mut bytes = Vec::with_capacity(usize::try_from(policy.max_bytes + 1).unwrap_or(0));
    let reader = response.body_mut().as_reader().take(policy.max_bytes + 1);
    Paced::new(reader, min_rate)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(url, policy, min_rate, e))?;
    if bytes.len() as u64 > policy.max_bytes {
        return Err(too_large(url, policy));
    }
    Ok(bytes)
}

/// A reader that fails once its bytes come in slower than `min_rate` allows.
struct Paced<R> {
    inner: R,
    min_rate: MinRate,
    start: std::time::Instant,
    received: u64,
}

impl<R> Paced<R> {
    fn new(inner: R, min_rate: MinRate) -> Self {
        Self {
            inner,
            min_rate,
            start: std::time::Instant::now(),
            received: 0,
        }
    }
}

/// Marker error: the sender was slower than the minimum rate.
#[derive(Debug)]
struct TooSlow;

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the sender is too slow")
    }
}

impl std::error::Error for TooSlow {}

impl<R: Read> Read for Paced<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.received += n as u64;
        if n > 0 && self.min_rate.too_slow(self.received, self.start.elapsed()) {
            return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, TooSlow));
        }
        Ok(n)
    }
}

/// An error reading the body: a timeout (ureq's own, or the minimum rate) is a timeout.
fn read_error(url: &str, policy: &FetchPolicy, min_rate: MinRate, e: std::io::Error) -> Error {
    if e.get_ref().is_some_and(|inner| inner.is::<TooSlow>()) {
        return Error::FetchTimeout(format!(
            "{url} (it sent under {} a second)",
            crate::error::megabytes(min_rate.bytes_per_sec)
        ));
    }
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)));
    if timed_out {
        return Error::FetchTimeout(url.to_string());
    }
    fetch_error(url, policy, ureq::Error::Io(e))
}

fn too_large(url: &str, policy: &FetchPolicy) -> Error {
    Error::FetchTooLarge(format!(
        "{url} is over the {} download limit",
        crate::error::megabytes(policy.max_bytes)
    ))
}

fn fetch_error(url: &str, policy: &FetchPolicy, e: ureq::Error) -> Error {
    match e {
        ureq::Error::Other(inner) if inner.is::<Refused>() => {
            Error::ForbiddenAddress(url.to_string())
        }
        ureq::Error::Timeout(_) => Error::FetchTimeout(url.to_string()),
        ureq::Error::BodyExceedsLimit(_) => too_large(url, policy),
        ureq::Error::StatusCode(code) => {
            Error::Fetch(format!("{url}: the server answered HTTP {code}"))
        }
        ureq::Error::TooManyRedirects => Error::Fetch(format!(
            "{url}: more than {} redirects",
            policy.max_redirects
        )),
        ureq::Error::HostNotFound => Error::Fetch(format!("{url}: host not found")),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            Error::FetchTimeout(url.to_string())
        }
        other => Error::Fetch(format!("{url}: {other}")),
    }
}

/// Marker error: every address of the host was refused.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("address refused")
    }
}

impl std::error::Error for Refused {}

/// Resolves like the system resolver, then drops the addresses we refuse to contact.
#[derive(Debug)]
struct GuardedResolver {
    allow_private: bool,
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(addrs);
        }
        let mut public = self.empty();
        for addr in addrs.iter().filter(|a| is_public(a.ip())) {
            public.push(*addr);
        }
        if public.is_empty() {
            return Err(ureq::Error::Other(Box::new(Refused)));
        }
        Ok(public)
    }
}

/// Whether an address is globally reachable: not in any block of the IANA IPv4 and IPv6
/// Special-Purpose Address Registries that is not marked globally reachable (loopback,
/// private, shared, link-local, documentation, benchmarking, reserved, multicast, ...), and,
/// for the IPv6 forms that carry an IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4,
/// Teredo), not carrying an internal one.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// The IPv4 Special-Purpose Address Registry's blocks that are not globally reachable (and
/// multicast, which a download never uses), as (network, prefix length).
const V4_SPECIAL: [([u8; 4], u8); 15] = [
    ([0, 0, 0, 0], 8),       // "this network"
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments (DS-Lite, NAT64 discovery, ...)
    ([192, 0, 2, 0], 24),    // documentation
    ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation
    ([203, 0, 113, 0], 24),  // documentation
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, and the limited broadcast address
];

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let ip = u32::from(ip);
    !V4_SPECIAL.iter().any(|&(net, len)| {
        let mask = u32::MAX << (32 - u32::from(len));
        ip & mask == u32::from(Ipv4Addr::from(net)) & mask
    })
}

/// The IPv6 Special-Purpose Address Registry's blocks that are not globally reachable, and
/// the rest of what is not global unicast, as (network, prefix length). The blocks that
/// embed an IPv4 address are handled apart, by the address they carry.
const V6_SPECIAL: [(u128, u8); 12] = [
    (0, 96), // unspecified, loopback, IPv4-compatible (checked apart)
    (0x0100_0000_0000_0000_0000_0000_0000_0000, 64), // discard-only
    (0x2001_0000_0000_0000_0000_0000_0000_0000, 23), // IETF protocol assignments (Teredo checked apart)
    (0x2001_0db8_0000_0000_0000_0000_0000_0000, 32), // documentation
    (0x2002_0000_0000_0000_0000_0000_0000_0000, 16), // 6to4 (checked apart)
    (0x3fff_0000_0000_0000_0000_0000_0000_0000, 20), // documentation
    (0x5f00_0000_0000_0000_0000_0000_0000_0000, 16), // segment routing SIDs
    (0xfc00_0000_0000_0000_0000_0000_0000_0000, 7),  // unique local
    (0xfe80_0000_0000_0000_0000_0000_0000_0000, 10), // link-local
    (0xfec0_0000_0000_0000_0000_0000_0000_0000, 10), // site-local (deprecated)
    (0xff00_0000_0000_0000_0000_0000_0000_0000, 8),  // multicast
    (0x0064_ff9b_0001_0000_0000_0000_0000_0000, 48), // local-use NAT64 (checked apart)
];

/// IETF protocol assignments inside 2001::/23 that are globally reachable (TURN, AMT, AS112,
/// ORCHIDv2, drone identifiers); everything else in that block is refused.
const V6_GLOBAL_IN_IETF: [(u128, u8); 5] = [
    (0x2001_0001_0000_0000_0000_0000_0000_0003, 128), // port control protocol anycast
    (0x2001_0003_0000_0000_0000_0000_0000_0000, 32),  // AMT
    (0x2001_0004_0112_0000_0000_0000_0000_0000, 48),  // AS112-v6
    (0x2001_0020_0000_0000_0000_0000_0000_0000, 28),  // ORCHIDv2
    (0x2001_0030_0000_0000_0000_0000_0000_0000, 28),  // drone remote ID
];

fn in_block(ip: u128, (net, len): (u128, u8)) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    };
    ip & mask == net & mask
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = u128::from(ip);
    // Forms that carry IPv4 addresses: refused when an address they carry is.
    if let Some(carried) = embedded_v4(ip) {
        return carried.into_iter().all(is_public_v4);
    }
    if in_block(bits, (0x2001_0000_0000_0000_0000_0000_0000_0000, 23)) {
        return V6_GLOBAL_IN_IETF.iter().any(|&b| in_block(bits, b));
    }
    // Only global unicast (2000::/3) is reachable at all.
    in_block(bits, (0x2000_0000_0000_0000_0000_0000_0000_0000, 3))
        && !V6_SPECIAL.iter().any(|&b| in_block(bits, b))
}

/// The IPv4 address carried by an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::/96`, and the
/// local-use `64:ff9b:1::/48`), 6to4 (`2002:AABB:CCDD::/48`) or Teredo (`2001:0::/32`, the
/// server address, and the client address inverted) address: both Teredo addresses, or the
/// one address twice.
fn embedded_v4(ip: Ipv6Addr) -> Option<[Ipv4Addr; 2]> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let s = ip.segments();
    if in_block(bits, (0, 96)) {
        // IPv4-compatible; `::` and `::1` are themselves refused (as 0.0.0.0 and 0.0.0.1 are).
        return Some([low32; 2]);
    }
    if in_block(bits, (0xffff_0000_0000, 96)) || in_block(bits, (0xffff_0000_0000_0000, 96)) {
        return Some([low32; 2]); // IPv4-mapped, IPv4-translated
    }
    if in_block(bits, (0x0064_ff9b_0000_0000_0000_0000_0000_0000, 96)) {
        return Some([low32; 2]); // NAT64 well-known prefix
    }
    if in_block(bits, (0x0064_ff9b_0001_0000_0000_0000_0000_0000, 48)) {
        // Local-use NAT64: the IPv4 address may sit at any of the RFC 6052 offsets, so the
        // whole block is refused (it is not globally reachable either).
        return Some([Ipv4Addr::UNSPECIFIED; 2]);
    }
    if s[0] == 0x2002 {
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        return Some([Ipv4Addr::new(a, b, c, d); 2]); // 6to4
    }
    if s[0] == 0x2001 && s[1] == 0 {
        let server = Ipv4Addr::from(((bits >> 64) & 0xffff_ffff) as u32);
        let client = Ipv4Addr::from(!((bits & 0xffff_ffff) as u32));
        return Some([server, client]); // Teredo
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            // Issue 11: IPv6 forms that carry an internal IPv4 address.
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254, the cloud metadata address
            "64:ff9b::7f00:1",    // NAT64 of 127.0.0.1
            "64:ff9b::a00:1",     // NAT64 of 10.0.0.1
            "64:ff9b:1::a9fe:a9fe", // local-use NAT64
            "64:ff9b:1:abcd::1",  // local-use NAT64, any offset
            "2002:a9fe:a9fe::1",  // 6to4 of 169.254.169.254
            "2002:7f00:1::",      // 6to4 of 127.0.0.1
            "2002:c0a8:101::1",   // 6to4 of 192.168.1.1
            "2001:0:4136:e378:8000:63bf:3f57:fdf2", // Teredo of 192.168.2.13 (inverted)
            "2001:0:0:0:0:0:80ff:fefe", // Teredo of 127.0.1.1 (inverted)
            "::a9fe:a9fe",        // IPv4-compatible 169.254.169.254
            "::ffff:a9fe:a9fe",   // IPv4-mapped
            "::ffff:0:a9fe:a9fe", // IPv4-translated
            "::ffff:10.0.0.1",
            // The rest of both registries.
            "192.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "240.0.0.1",
            "255.255.255.255",
            "192.88.99.1",
            "100::1",
            "2001:db8::1",
            "2001:2::1",
            "2001:10::1",
            "3fff::1",
            "5f00::1",
            "fec0::1",
            "ff02::1",
            "4000::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808", // NAT64 of 8.8.8.8
            "2002:808:808::1",  // 6to4 of 8.8.8.8
            "::ffff:8.8.8.8",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo of 8.8.8.8 (inverted)
            "2001:4860:4860::8888",
            "2001:3::1", // AMT: globally reachable
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn rejects_bad_urls() {
        for url in [
            "",
            "not a url",
            "ftp://example.com/a.png",
            "file:///etc/passwd",
            "/relative/path.png",
            "http://",
        ] {
            assert!(matches!(check_url(url), Err(Error::InvalidUrl(_))), "{url}");
        }
        assert!(check_url("https://example.com/a.png").is_ok());
        // Issue 11: a port out of range was dropped for the default port 80.
        for url in [
            "http://example.com:99999/a.png",
            "http://example.com:0/a.png",
            "http://[2606:4700::1111]:70000/a.png",
            "http://user:pw@example.com:65536/",
        ] {
            let err = check_url(url).unwrap_err();
            assert!(err.to_string().contains("port"), "{url}: {err}");
        }
        for url in [
            "http://example.com:8080/a.png",
            "http://example.com:/a.png",
            "http://[2606:4700::1111]/a.png",
            "http://[2606:4700::1111]:443/a.png",
        ] {
            assert!(check_url(url).is_ok(), "{url}");
        }
    }

    /// A one-shot HTTP server on loopback answering `body` with `status`.
    fn serve_once(status: &str, body: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let status = status.to_string();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        format!("http://{addr}/still.png")
    }

    fn tiny_png() -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(2, 2, image::Rgb([5, 6, 7]))
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn loopback_is_refused_by_default_and_allowed_on_request() {
        let url = serve_once("200 OK", tiny_png());
        assert!(matches!(
            Still::from_url(&url),
            Err(Error::ForbiddenAddress(_))
        ));
        let url = serve_once("200 OK", tiny_png());
        let allow = FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        };
        let still = Still::from_url_with(&url, &allow).unwrap();
        assert_eq!(still.opaque_pixels().next(), Some([5, 6, 7]));
    }

    #[test]
    fn size_cap_and_status_errors() {
        let allow = FetchPolicy {
            allow_private: true,
            max_bytes: 10,
            ..FetchPolicy::default()
        };
        let url = serve_once("200 OK", vec![0; 100]);
        assert!(matches!(
            fetch_bytes(&url, &allow),
            Err(Error::FetchTooLarge(_))
        ));
        let url = serve_once("404 Not Found", b"gone".to_vec());
        let err = fetch_bytes(&url, &allow).unwrap_err();
        assert!(
            matches!(err, Error::Fetch(_)) && err.to_string().contains("404"),
            "{err}"
        );
    }

    #[test]
    fn the_size_limit_is_named_in_the_units_the_readme_uses() {
        let err = too_large("http://x/", &FetchPolicy::default());
        assert!(
            err.to_string().contains("over the 25 MB download limit"),
            "{err}"
        );
    }

    #[test]
    fn a_trickling_server_is_cut_off_at_the_minimum_rate() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/slow.png", listener.local_addr().unwrap());
        let serve = std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                // A byte every 50 ms (20 B/s), for at most 3 s.
                for _ in 0..60 {
                    if stream.write_all(&[0]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
        let policy = FetchPolicy {
            allow_private: true,
            ..FetchPolicy::default()
        };
        let min_rate = MinRate {
            bytes_per_sec: 1000,
            grace: Duration::from_millis(500),
        };
        let started = std::time::Instant::now();
        let err = fetch_bytes_paced(&url, &policy, min_rate).unwrap_err();
        assert!(matches!(err, Error::FetchTimeout(_)), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        serve.join().unwrap();
    }

    #[test]
    fn slow_servers_time_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/slow.png", listener.local_addr().unwrap());
        let hold = std::thread::spawn(move || {
            let conn = listener.accept();
            std::thread::sleep(Duration::from_millis(1500));
            drop(conn);
        });
        let policy = FetchPolicy {
            allow_private: true,
            timeout: Duration::from_millis(300),
            ..FetchPolicy::default()
        };
        assert!(matches!(
            fetch_bytes(&url, &policy),
            Err(Error::FetchTimeout(_))
        ));
        hold.join().unwrap();
    }
}
