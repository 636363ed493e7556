//! Names of the option enums (method, space, format, order): each enum lists its variants'
//! names once, in [`names!`], which gives it `ALL`, `name`, `Display` and a `FromStr` that
//! every front end parses alike (case and surrounding white space ignored) and refuses
//! alike (`unknown method "x" (expected a, b, c)`).

use crate::error::{Error, Result};

/// An enum whose values go by lower-case names on the command line, in URLs and in JSON.
pub(crate) trait Named: Copy + 'static {
    /// What a value is, in messages: `method`.
    const WHAT: &'static str;
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The value's name.
    fn name(self) -> &'static str;
}

/// The value named `s`, ignoring case and surrounding white space.
pub(crate) fn parse_named<T: Named>(s: &str) -> Result<T> {
    let wanted = s.trim();
    T::ALL
        .iter()
        .copied()
        .find(|value| value.name().eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<&str> = T::ALL.iter().map(|value| value.name()).collect();
            Error::InvalidOption(format!(
                "unknown {} {s:?} (expected {})",
                T::WHAT,
                names.join(", ")
            ))
        })
}

/// Gives an enum its names: `ALL` and `name` (with the doc comments given), [`Named`],
/// `Display` (the name) and `FromStr` ([`parse_named`]).
///
/// ```ignore
/// names! {
///     Order, "order";
///     /// Every order, in the order they are documented.
///     ALL;
///     /// The lower-case name used on the command line and in `?order=`.
///     name;
///     Share => "share",
///     Hue => "hue",
/// }
/// ```
macro_rules! names {
    (
        $ty:ident, $what:literal;
        $(#[$all_doc:meta])*
        ALL;
        $(#[$name_doc:meta])*
        name;
        $($variant:ident => $name:literal),+ $(,)?
    ) => {
        impl $ty {
            $(#[$all_doc])*
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            $(#[$name_doc])*
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }
        }

        impl $crate::named::Named for $ty {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &<$ty>::ALL;

            fn name(self) -> &'static str {
                <$ty>::name(self)
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::error::Error;

            fn from_str(s: &str) -> $crate::error::Result<Self> {
                $crate::named::parse_named(s)
            }
        }
    };
}

pub(crate) use names;

#[cfg(test)]
mod tests {
    use crate::{ColorSpace, Format, Method, Order};

    #[test]
    fn every_name_parses_back_in_any_case_and_padding() {
        fn check<T: super::Named + std::str::FromStr + PartialEq + std::fmt::Debug>() {
            for &value in T::ALL {
                for text in [
                    value.name().to_string(),
                    value.name().to_uppercase(),
                    format!(" {}\t", value.name()),
                ] {
                    assert!(text.parse::<T>().ok() == Some(value), "{text:?}");
                }
            }
        }
        check::<Method>();
        check::<ColorSpace>();
        check::<Format>();
        check::<Order>();
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let refused = [
            (
                "dbscan".parse::<Method>().map(|_| ()),
                "method \"dbscan\" (expected kmeans, agglomerative, accent, kmedians)",
            ),
            (
                "xyz".parse::<ColorSpace>().map(|_| ()),
                "space \"xyz\" (expected rgb, hsv, lab)",
            ),
            (
                "jpeg".parse::<Format>().map(|_| ()),
                "format \"jpeg\" (expected json, hex, gpl, png, svg, ase, css)",
            ),
            (
                "size".parse::<Order>().map(|_| ()),
                "order \"size\" (expected share, hue, lightness, matched)",
            ),
        ];
        for (result, message) in refused {
            let error = result.unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("invalid option: unknown {message}")
            );
            assert_eq!(error.kind(), crate::error::ErrorKind::BadRequest);
        }
        assert_eq!(Method::Kmedians.to_string(), "kmedians");
    }
}
