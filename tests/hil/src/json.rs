//! A small JSON reader for wdtctl's `--json` documents (schema 2), so the scenarios check fields by
//! name and type instead of matching text. It reads what RFC 8259 allows; numbers are kept as f64
//! (wdtctl's are integers far below 2^53).

use std::fmt;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    /// Members in document order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A member of an object (None for other values or a missing member).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A member by a dotted path: `"result.timeout_s"`.
    pub fn at(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self, |v, key| v.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 9.007_199_254_740_992e15 => {
                Some(*n as u64)
            }
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// Compact JSON, as wdtctl prints it (for messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Array(items) => {
                write!(f, "[")?;
                for (i, v) in items.iter().enumerate() {
                    write!(f, "{}{v}", if i == 0 { "" } else { "," })?;
                }
                write!(f, "]")
            }
            Value::Object(members) => {
                write!(f, "{{")?;
                for (i, (k, v)) in members.iter().enumerate() {
                    write!(f, "{}{k:?}:{v}", if i == 0 { "" } else { "," })?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Parses one JSON document (surrounding white space allowed, nothing else).
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { text: text.as_bytes(), at: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    if p.at != p.text.len() {
        return Err(p.error("text after the document"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.at)
    }

    fn skip_ws(&mut self) {
        while self.at < self.text.len() && matches!(self.text[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.text[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_ws();
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.error("expected , or ]")),
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                loop {
                    self.skip_ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a member name"));
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected :"));
                    }
                    self.at += 1;
                    members.push((key, self.value(depth + 1)?));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Value::Object(members));
                        }
                        _ => return Err(self.error("expected , or }")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.at;
        while self.at < self.text.len()
            && matches!(self.text[self.at], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).map_err(|_| self.error("number"))?;
        let valid_start = text.strip_prefix('-').unwrap_or(text);
        if valid_start.is_empty()
            || !valid_start.as_bytes()[0].is_ascii_digit()
            || (valid_start.len() > 1
                && valid_start.starts_with('0')
                && valid_start.as_bytes()[1].is_ascii_digit())
        {
            return Err(self.error("malformed number"));
        }
        text.parse().map(Value::Number).map_err(|_| self.error("malformed number"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.text.get(self.at..self.at + 4).ok_or_else(|| self.error("short \\u escape"))?;
        let digits = std::str::from_utf8(digits).map_err(|_| self.error("bad \\u escape"))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.at;
            while self.at < self.text.len() && !matches!(self.text[self.at], b'"' | b'\\' | 0..=0x1f) {
                self.at += 1;
            }
            out.push_str(
                std::str::from_utf8(&self.text[start..self.at]).map_err(|_| self.error("not UTF-8"))?,
            );
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escape = self.peek().ok_or_else(|| self.error("unterminated string"))?;
                    self.at += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code) && self.text[self.at..].starts_with(b"\\u") {
                                self.at += 2;
                                let low = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&low) {
                                    return Err(self.error("bad surrogate pair"));
                                }
                                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                            }
                            out.push(char::from_u32(code).ok_or_else(|| self.error("bad \\u escape"))?);
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, Value};

    #[test]
    fn reads_a_wdtctl_status_document() {
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
        assert_eq!(doc.at("result.timeout_s").and_then(Value::as_u64), Some(15));
        assert_eq!(doc.at("result.timeleft_ms"), Some(&Value::Null));
        assert_eq!(doc.at("result.options").and_then(Value::as_array).map(<[Value]>::len), Some(2));
        let flag = &doc.at("result.flags").and_then(Value::as_array).unwrap()[0];
        assert_eq!(flag.get("name").and_then(Value::as_str), Some("CARDRESET"));
        assert!(doc.at("result.missing").is_none());
        assert!(doc.at("result.state.deeper").is_none());
    }

    #[test]
    fn strings_numbers_and_escapes() {
        assert_eq!(
            parse(r#""a\"b\\c\/\n\u00e9\ud83d\ude00""#).unwrap(),
            Value::String("a\"b\\c/\né😀".into())
        );
        assert_eq!(parse("-12.5e1").unwrap(), Value::Number(-125.0));
        assert_eq!(parse(" [ ] ").unwrap(), Value::Array(vec![]));
        assert_eq!(parse("{}").unwrap(), Value::Object(vec![]));
        assert_eq!(parse("4294967").unwrap().as_u64(), Some(4_294_967));
        assert_eq!(parse("-1").unwrap().as_u64(), None);
        assert_eq!(parse("1.5").unwrap().as_u64(), None);
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "tru",
            "01",
            "-",
            "\"open",
            "\"tab\there\"",
            "{} x",
            "{'a':1}",
            "\"\\x\"",
            "[1 2]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
    }

    #[test]
    fn displays_compactly() {
        let doc = parse(r#"{ "a" : [1, true, null], "b": "x" }"#).unwrap();
        assert_eq!(doc.to_string(), r#"{"a":[1,true,null],"b":"x"}"#);
    }
}
