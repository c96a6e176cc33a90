//! `genpro_api::transport::rfc3339` reads every string exactly as chrono's
//! `DateTime<Utc>` deserializer does: the same instant, or an error with
//! the same text.

use chrono::{DateTime, FixedOffset, Utc};
use genpro_api::transport::rfc3339;

fn chrono(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    s.parse::<DateTime<FixedOffset>>()
        .map(|at| at.with_timezone(&Utc))
}

#[test]
fn every_shape_reads_as_chrono_reads_it() {
    let dates = [
        "2026-01-02",
        "2024-02-29",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-04-31",
        "0000-01-01",
        "9999-12-31",
        "2026-1-02",
        "20260102",
        "2026/01/02",
    ];
    let times = [
        "T03:04:05",
        "T23:59:59",
        "T23:59:60",
        "T24:00:00",
        "T12:60:00",
        "t03:04:05",
        " 03:04:05",
        "T3:04:05",
        "T03:04",
        "T03:04:05.",
        "T03:04:05.5",
        "T03:04:05.123",
        "T03:04:05.123456789",
        "T03:04:05.1234567891",
        "T03:04:05,5",
        "T03:04:05.x",
    ];
    let zones = ["Z", "z", "+00:00", "-07:30", "+0100", "", "ZZ", " Z"];
    let mut checked = 0;
    for date in dates {
        for time in times {
            for zone in zones {
                let s = format!("{date}{time}{zone}");
                assert_eq!(rfc3339::parse(&s), chrono(&s), "{s:?}");
                checked += 1;
            }
        }
    }
    for s in [
        "",
        "Z",
        "yesterday",
        "2026-01-02T03:04:05Z trailing",
        "２０２６-01-02T03:04:05Z",
    ] {
        assert_eq!(rfc3339::parse(s), chrono(s), "{s:?}");
    }
    assert_eq!(checked, 11 * 16 * 8);
}

#[test]
fn a_generated_type_decodes_and_encodes_its_timestamps_as_before() {
    let json = r#"{"id":9000,"status":"completed","created_at":"2026-01-01T00:00:00.25Z"}"#;
    let generation: genpro_api::types::Generation = serde_json::from_str(json).unwrap();
    let at: DateTime<Utc> = "2026-01-01T00:00:00.25Z".parse().unwrap();
    assert_eq!(generation.created_at, Some(at));
    let out = serde_json::to_value(&generation).unwrap();
    assert_eq!(out["created_at"], "2026-01-01T00:00:00.250Z");
    // null and absent are None; so is a value that is no RFC 3339 string
    // (an optional date-time is a guess: it never fails the answer).
    for created_at in [
        "null",
        r#""2026-02-30T00:00:00Z""#,
        r#""yesterday""#,
        "1767225600",
        r#"{"at":"2026-01-01T00:00:00Z"}"#,
        r#"["2026-01-01T00:00:00Z"]"#,
        "true",
    ] {
        let json =
            format!(r#"{{"id":1,"status":"pending","created_at":{created_at},"result":"r"}}"#);
        let generation: genpro_api::types::Generation = serde_json::from_str(&json).unwrap();
        assert_eq!(generation.created_at, None, "{created_at}");
        assert_eq!(generation.result.as_deref(), Some("r"), "{created_at}");
    }
    // The strict reader (a required date-time) still refuses a bad value.
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Required {
        #[serde(with = "genpro_api::transport::rfc3339")]
        at: DateTime<Utc>,
    }
    let error = serde_json::from_str::<Required>(r#"{"at":"2026-02-30T00:00:00Z"}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "input is out of range at line 1 column 28"
    );
}
