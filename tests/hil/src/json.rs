//! wdtctl's `--json` documents (schema 2), read with serde_json so that the scenarios check fields by
//! name and type instead of matching text; [`At`] reaches a field by a dotted path.

pub use serde_json::Value;

/// Parses one JSON document.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
}

/// A member by a dotted path: `"result.timeout_s"`.
pub trait At {
    fn at(&self, path: &str) -> Option<&Value>;
}

impl At for Value {
    fn at(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self, |v, key| v.get(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wdtctl_status_document_by_path() {
        let doc = parse(
            r#"{"schema":2,"command":"status","ok":true,"result":{"device":"/dev/watchdog0","name":"watchdog0",
            "interface":"sysfs","rpi_wdt":true,"state":"inactive","running":false,"timeout_s":15,
            "timeleft_s":0,"timeleft_ms":null,"options":["SETTIMEOUT","MAGICCLOSE"],"rsts":"0x00001000",
            "flags":[{"name":"CARDRESET","supported":true,"status":false}]}}"#,
        )
        .unwrap();
        assert_eq!(doc.at("schema").and_then(Value::as_u64), Some(2));
        assert_eq!(doc.at("result.interface").and_then(Value::as_str), Some("sysfs"));
        assert_eq!(doc.at("result.running").and_then(Value::as_bool), Some(false));
        assert_eq!(doc.at("result.timeout_s"), Some(&Value::from(15u64)));
        assert_eq!(doc.at("result.timeleft_ms"), Some(&Value::Null));
        assert_eq!(doc.at("result.options").and_then(Value::as_array).map(Vec::len), Some(2));
        assert!(doc.at("result.missing").is_none());
        assert!(doc.at("result.state.deeper").is_none());
        assert!(parse("{\"a\":1,}").is_err());
    }
}
