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
    Ok(uri)
}

/// Downloads the body at `url` under `policy`.
pub fn fetch_bytes(url: &str, policy: &FetchPolicy) -> Result<Vec<u8>> {
    let uri = check_url(url)?;
    let config = Config::builder()
        .timeout_global(Some(policy.timeout))
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
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(policy.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fetch_error(url, policy, ureq::Error::Io(e)))?;
    if bytes.len() as u64 > policy.max_bytes {
        return Err(too_large(url, policy));
    }
    Ok(bytes)
}

fn too_large(url: &str, policy: &FetchPolicy) -> Error {
    Error::FetchTooLarge(format!(
        "{url} is over the {} MB download limit",
        policy.max_bytes / 1_000_000
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

/// Whether an address is on the public internet (not loopback, private, link-local,
/// multicast, unspecified, carrier-grade NAT, documentation or reserved).
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4))) // IPv4-compatible
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
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
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
