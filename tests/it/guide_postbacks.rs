//! The postback walk-through of docs/postbacks.md ("Try it with a
//! receiver"), run word
//! for word in one bash, as a reader would paste it: its receiver, the
//! built binary on the bundled `postbacks` scenario, a sale, its void. Each
//! command must print what the guide shows under it (nothing when it
//! shows nothing).

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::util::{bundled_copy, doc_blocks, poll_blocking, root};

/// The walk-through's heading; it runs to the next heading.
const HEADING: &str = "## Try it with a receiver";

/// Longer than this and the run is stopped and failed: it takes about a
/// second (the receiver's start, two conversions' worth of postbacks).
const LIMIT: Duration = Duration::from_secs(60);

/// Printed on a line of its own after each command, to tell their outputs
/// apart; no command prints it.
const MARK: &str = "@@@ n4n-mock guide: end of a command @@@";

/// One command of the walk-through, and what the guide shows it prints.
#[derive(Debug)]
struct Step {
    command: String,
    printed: Printed,
}

#[derive(Debug)]
enum Printed {
    Nothing,
    /// A `json` block: compared as JSON (the guide may indent it).
    Json(serde_json::Value),
    /// A `text` block: compared as text, line for line.
    Text(String),
}

/// Each `sh` block with the output block that follows it, if any.
fn steps(guide: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (language, text) in doc_blocks(guide, HEADING) {
        let printed =
            match language.as_str() {
                "sh" => {
                    steps.push(Step {
                        command: text,
                        printed: Printed::Nothing,
                    });
                    continue;
                }
                "json" => Printed::Json(serde_json::from_str(&text).unwrap_or_else(|err| {
                    panic!("a json block of the walk-through: {err}\n{text}")
                })),
                "text" => Printed::Text(text),
                other => panic!("a `{other}` block in the walk-through: sh, json or text only"),
            };
        let step = steps.last_mut().expect("an output block follows a command");
        assert!(
            matches!(step.printed, Printed::Nothing),
            "two output blocks after one command:\n{}",
            step.command
        );
        step.printed = printed;
    }
    steps
}

/// Whatever `child` writes to `pipe`, read on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Ends the process group `child` leads: bash, and whatever it left
/// running when it failed half way (the mock, the receiver).
fn end_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
}

/// A file the walk-through wrote, for a failure's message.
fn written(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|err| format!("({err})"))
}

#[test]
fn the_guide_postback_walk_through_prints_what_it_shows() {
    let guide = std::fs::read_to_string(root().join("docs/postbacks.md")).expect("the guide");
    let steps = steps(&guide);
    assert_eq!(steps.len(), 10, "{steps:#?}");
    let python = Command::new("python3").arg("--version").output();
    assert!(
        python.is_ok_and(|o| o.status.success()),
        "the walk-through's receiver needs python3 on PATH"
    );
    // A clone's `scenarios/` and `fixtures/`, the binary on PATH, nothing
    // else of this process's N4N_MOCK_ settings.
    let clone = bundled_copy();
    let bin = Path::new(env!("CARGO_BIN_EXE_n4n-mock"))
        .parent()
        .expect("the binary's folder");
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let script: String = steps
        .iter()
        .map(|step| format!("{}printf '\\n%s\\n' '{MARK}'\n", step.command))
        .collect();
    let mut bash = Command::new("bash");
    bash.arg("-c")
        .arg(&script)
        .current_dir(clone.path())
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("N4N_MOCK") {
            bash.env_remove(name);
        }
    }
    bash.env_remove("RUST_LOG");

    let mut child = bash.spawn().expect("bash");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let exited = poll_blocking(LIMIT, || child.try_wait().expect("try_wait"));
    end_group(&child);
    let _ = child.wait();
    let (stdout, stderr) = (
        stdout.join().expect("stdout thread"),
        stderr.join().expect("stderr thread"),
    );

    let context = || {
        format!(
            "stdout:\n{stdout}\nstderr:\n{stderr}\nmock.log:\n{}\nreceived.txt:\n{}",
            written(clone.path(), "mock.log"),
            written(clone.path(), "received.txt")
        )
    };
    let status = exited.unwrap_or_else(|| panic!("not done within {LIMIT:?}\n{}", context()));
    assert!(status.success(), "bash: {status}\n{}", context());
    let outputs: Vec<&str> = stdout.split(&format!("\n{MARK}\n")).collect();
    assert_eq!(outputs.len(), steps.len() + 1, "{}", context());
    for (step, output) in steps.iter().zip(&outputs) {
        match &step.printed {
            Printed::Nothing => assert!(
                output.trim().is_empty(),
                "printed {output:?}, the guide shows nothing:\n{}\n{}",
                step.command,
                context()
            ),
            Printed::Json(shown) => {
                let printed: serde_json::Value =
                    serde_json::from_str(output).unwrap_or_else(|err| {
                        panic!(
                            "not JSON ({err}): {output:?}\n{}\n{}",
                            step.command,
                            context()
                        )
                    });
                assert_eq!(&printed, shown, "{}\n{}", step.command, context());
            }
            Printed::Text(shown) => assert_eq!(
                output.trim_end(),
                shown.trim_end(),
                "{}\n{}",
                step.command,
                context()
            ),
        }
    }
}
