//! The command-line conventions every `sfn` subcommand follows: `--version`, `--help` (and
//! `sfn help <command>`), did-you-mean suggestions, `error:` prefixes, exit codes 0 and 2 for
//! help and usage errors, no colour when piped, and shell completions.

mod support;

use support::{sfn, sfn_env};

const COMMANDS: [&str; 17] = [
    "validate",
    "run",
    "test-state",
    "import",
    "build",
    "completions",
    "create-state-machine",
    "start",
    "describe",
    "list",
    "history",
    "stop",
    "redrive",
    "send-task-success",
    "send-task-failure",
    "send-task-heartbeat",
    "worker",
];
const ORDERS: &str = "examples/asl/order-processing.asl.json";

#[test]
fn version_exits_0_on_the_tool_and_every_subcommand() {
    let run = sfn(&["--version"], "");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, concat!("sfn ", env!("CARGO_PKG_VERSION"), "\n"), "")
    );
    for command in COMMANDS {
        let run = sfn(&[command, "--version"], "");
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        assert_eq!(
            run.stdout,
            concat!("sfn ", env!("CARGO_PKG_VERSION"), "\n"),
            "{command}"
        );
    }
}

#[test]
fn every_subcommand_has_help_and_help_command_prints_the_same() {
    for command in COMMANDS {
        let flag = sfn(&[command, "--help"], "");
        assert_eq!(
            (flag.code, flag.stderr.as_str()),
            (0, ""),
            "{command} --help"
        );
        assert!(
            flag.stdout.contains(&format!("Usage: sfn {command} ")),
            "{command}: {}",
            flag.stdout
        );
        let help = sfn(&["help", command], "");
        assert_eq!(help.code, 0, "help {command}");
        assert_eq!(help.stdout, flag.stdout, "sfn help {command}");
        // `-h` is the short summary: still exit 0, still the usage line.
        let short = sfn(&[command, "-h"], "");
        assert_eq!(short.code, 0);
        assert!(short.stdout.contains(&format!("Usage: sfn {command} ")));
    }
}

#[test]
fn the_bare_tool_prints_its_usage_to_stderr_and_exits_2() {
    let run = sfn(&[], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr.contains("Usage: sfn <COMMAND>"),
        "{}",
        run.stderr
    );
    for command in COMMANDS {
        assert!(
            run.stderr.contains(&format!("  {command} ")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn misspelt_subcommands_and_flags_get_a_suggestion() {
    let run = sfn(&["valdate", ORDERS], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: unrecognized subcommand 'valdate'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("tip: a similar subcommand exists: 'validate'"),
        "{}",
        run.stderr
    );
    let run = sfn(&["run", ORDERS, "--histroy"], "");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr
            .contains("tip: a similar argument exists: '--history'"),
        "{}",
        run.stderr
    );
    let run = sfn(&["test-state", ORDERS, "--mock-eror", "E"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("tip: a similar argument exists: '--mock-error'"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_found_after_parsing_look_like_clap_s_own() {
    // Input that is not JSON is only known once read; it is reported the same way.
    let run = sfn(&["run", ORDERS, "--input", "-"], "not json");
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(
        run.stderr
            .starts_with("error: standard input: the input is not JSON"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Usage: sfn run [OPTIONS] <DEFINITION>"),
        "{}",
        run.stderr
    );
}

#[test]
fn piped_output_has_no_colour_and_a_terminal_setting_forces_it() {
    let escape = '\u{1b}';
    let help = sfn(&["run", "--help"], "");
    let error = sfn(&["run", ORDERS, "--bogus"], "");
    let late_error = sfn(&["run", ORDERS, "--input", "-"], "not json");
    for run in [&help, &error, &late_error] {
        assert!(
            !run.stdout.contains(escape) && !run.stderr.contains(escape),
            "{}{}",
            run.stdout,
            run.stderr
        );
    }
    // The same output is coloured when colour is forced, as on a terminal.
    let forced = [("CLICOLOR_FORCE", "1")];
    assert!(sfn_env(&["run", "--help"], "", &forced)
        .stdout
        .contains(escape));
    assert!(sfn_env(&["run", ORDERS, "--bogus"], "", &forced)
        .stderr
        .contains(escape));
    assert!(
        sfn_env(&["run", ORDERS, "--input", "-"], "not json", &forced)
            .stderr
            .contains(escape)
    );
}

#[test]
fn completions_name_every_subcommand() {
    let run = sfn(&["completions", "bash"], "");
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("complete -F _sfn"), "{}", run.stdout);
    for command in COMMANDS {
        assert!(
            run.stdout.contains(command),
            "bash completions lack {command}"
        );
    }
    assert!(run.stdout.contains("--mock-config"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = sfn(&["completions", shell], "");
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("test-state"), "{shell}");
    }
    let run = sfn(&["completions", "tcsh"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{}",
        run.stderr
    );
}

#[test]
fn docs_cli_md_covers_every_command_and_flag() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md"))
        .expect("docs/cli.md");
    for command in COMMANDS {
        assert!(
            docs.contains(&format!("## `sfn {command}`")),
            "docs/cli.md has no section for {command}"
        );
        let help = sfn(&[command, "--help"], "").stdout;
        let flags = help
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .filter(|w| !matches!(*w, "--help" | "--version"));
        for flag in flags {
            assert!(
                docs.contains(flag),
                "docs/cli.md does not mention `sfn {command} {flag}`"
            );
        }
    }
}
