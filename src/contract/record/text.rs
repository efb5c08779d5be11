//! The scenario file's text: a header comment, the placeholder credential,
//! the overrides, the clicks and the transactions, each under a comment
//! saying which lookups and answers it comes from.

use super::gather::Gathered;
use super::recorded::PLACEHOLDER_API_KEY;
use crate::contract::json::Json;
use crate::contract::to_yaml;

/// The scenario's text, and the line of its placeholder api-key.
pub(super) fn render(source: &str, username: &str, gathered: &Gathered) -> (String, usize) {
    let mut out = String::new();
    let header = format!(
        "Recorded by `n4n-mock record` from {source}.\n\
         Each click's `response:` is the body the server answered, verbatim (keys in\n\
         order, numbers as written); the errors it answered are kept as `errors:`\n\
         overrides (status and message). Serve it with: n4n-mock --scenario <this file>"
    );
    to_yaml::push_comment(&mut out, &header, 0);
    out.push_str("description:");
    let description = format!(
        "Recorded from {source}: {} click{}, {} error override{}.",
        gathered.clicks.len(),
        plural(gathered.clicks.len()),
        gathered.overrides.len(),
        plural(gathered.overrides.len())
    );
    to_yaml::push_value(&mut out, &Json::String(description), 2);
    out.push_str("credentials:\n");
    to_yaml::push_comment(
        &mut out,
        "PLACEHOLDER: not the real api-key, which `n4n-mock record` never writes.\n\
         Replace it with the key your tests send to the mock (any value will do;\n\
         it need not be the real one). The username is the one recorded with.",
        2,
    );
    out.push_str("  - username:");
    to_yaml::push_value(&mut out, &Json::String(username.to_string()), 4);
    let placeholder_line = out.lines().count() + 1;
    out.push_str("    api_key:");
    to_yaml::push_value(&mut out, &Json::String(PLACEHOLDER_API_KEY.into()), 6);

    if !gathered.overrides.is_empty() {
        out.push_str("errors:\n");
        for o in &gathered.overrides {
            to_yaml::push_comment(&mut out, &o.seen.join("\n"), 2);
            out.push_str("  ");
            out.push_str(o.kind.name());
            out.push(':');
            let mut fields = vec![("status".to_string(), Json::Number(o.status.to_string()))];
            if let Some(message) = &o.message {
                fields.push(("message".to_string(), Json::String(message.clone())));
            }
            to_yaml::push_value(&mut out, &Json::Object(fields), 4);
        }
    }
    if !gathered.not_kept.is_empty() {
        let mut text = String::from(
            "Answers not kept (no error kind of the scenario format matches them;\n\
             the mock answers these lookups with `Click not found`):\n",
        );
        for seen in &gathered.not_kept {
            text.push_str("  ");
            text.push_str(seen);
            text.push('\n');
        }
        to_yaml::push_comment(&mut out, &text, 0);
    }
    if !gathered.clicks.is_empty() {
        out.push_str("clicks:\n");
        for click in &gathered.clicks {
            to_yaml::push_comment(&mut out, &click.lookups.join("\n"), 2);
            let item = Json::Object(vec![
                ("click_hash".into(), Json::String(click.hash.clone())),
                ("response".into(), click.body.clone()),
            ]);
            to_yaml::push_list_item(&mut out, &item, 2);
        }
    }
    if !gathered.transactions.is_empty() {
        out.push_str("transactions:\n");
        let mut last_why = "";
        for t in &gathered.transactions {
            if t.why != last_why {
                to_yaml::push_comment(&mut out, t.why, 2);
                last_why = t.why;
            }
            let mut fields = vec![
                ("transaction_hash".to_string(), Json::String(t.hash.clone())),
                (
                    "click_hash".to_string(),
                    Json::String(gathered.clicks[t.click].hash.clone()),
                ),
            ];
            for (key, value) in [
                ("orderid", &t.orderid),
                ("subscription_id", &t.subscription_id),
            ] {
                if !value.is_empty() {
                    fields.push((key.to_string(), Json::String(value.clone())));
                }
            }
            to_yaml::push_list_item(&mut out, &Json::Object(fields), 2);
        }
    }

    (out, placeholder_line)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
