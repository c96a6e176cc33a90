//! The `open_enum!` macro: a hand-written open string enum.
//!
//! The value lists of openapi.yaml (card models, aspect ratios, statuses,
//! generation types) are generated as open enums into
//! [`gen_api::open_enums`]; gen-sdk re-exports them ([`crate::cards`],
//! [`crate::status`]). This macro remains for [`crate::error::ErrorCode`],
//! which adds the documented fix of each code.
//!
//! The enum has `as_str`, `KNOWN` (the known wire values), `is_known`,
//! `Display`, `FromStr` (infallible), `From<&str>`, `From<String>`, and
//! string `Serialize`/`Deserialize`; with the `schemars` feature it is a
//! JSON Schema string listing the known values in `x-known-values`.

/// Defines an open string enum; see the module documentation.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident => $value:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("\n\nWire value: `", $value, "`.")]
                $variant,
            )*
            /// A value this version of gen-sdk does not know, kept verbatim
            /// (sent and received as is).
            Other(String),
        }

        impl $name {
            /// The wire values known to this version of gen-sdk.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Other(other) => other.as_str(),
                }
            }

            /// True unless this is [`Self::Other`] holding a value this
            /// version of gen-sdk does not know.
            pub fn is_known(&self) -> bool {
                Self::KNOWN.contains(&self.as_str())
            }
        }

        #[cfg(feature = "schemars")]
        /// JSON Schema: a string; the values known to this version are listed
        /// in `x-known-values` (the enum is open, so any string is accepted).
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "type": "string",
                    "x-known-values": Self::KNOWN,
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::Other(value),
                }
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(value: $name) -> Self {
                match value {
                    $name::Other(other) => other,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    };
}

pub(crate) use open_enum;
