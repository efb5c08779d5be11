//! A located YAML tree written as JSON: how a click's `response:` (a body
//! captured from a real server, say) becomes the bytes it answers with.

use super::yaml::{ScalarTag, Yaml, YamlKind};
use crate::render::{ObjectWriter, push_array, push_string};

/// Appends a YAML tree as JSON: mappings in file order, numbers as written
/// when that spelling is valid JSON, strings as strings.
pub fn push_yaml(out: &mut String, node: &Yaml) {
    match &node.kind {
        YamlKind::Scalar(scalar) => match scalar.tag {
            ScalarTag::Null => out.push_str("null"),
            ScalarTag::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            ScalarTag::Int(_) | ScalarTag::Float(_) if is_json_number(&scalar.text) => {
                out.push_str(&scalar.text);
            }
            ScalarTag::Int(i) => out.push_str(&i.to_string()),
            ScalarTag::Float(f) => match serde_json::Number::from_f64(f) {
                Some(n) => out.push_str(&n.to_string()),
                // `.inf` and `.nan` have no JSON spelling; keep the author's text.
                None => push_string(out, &scalar.text),
            },
            ScalarTag::Str => push_string(out, &scalar.text),
        },
        YamlKind::Seq(items) => push_array(out, items, push_yaml),
        YamlKind::Map(entries) => {
            let mut object = ObjectWriter::open(out);
            for (key, value) in entries {
                object.raw(&key.name, |out| push_yaml(out, value));
            }
            object.close();
        }
    }
}

fn is_json_number(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Number(_))
    ) && !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml;

    #[test]
    fn yaml_becomes_json_in_file_order_with_numbers_as_written() {
        let node =
            yaml::parse("z: 10.00\na: [1, \"x\", null, true]\nm: {k: 0x1F}\n").expect("valid");
        let mut out = String::new();
        push_yaml(&mut out, &node);
        assert_eq!(out, r#"{"z":10.00,"a":[1,"x",null,true],"m":{"k":31}}"#);
        serde_json::from_str::<serde_json::Value>(&out).expect("valid");
    }
}
