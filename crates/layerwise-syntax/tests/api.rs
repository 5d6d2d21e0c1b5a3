//! The public API: spans point at the right source text, positions are
//! right across continuation lines, errors recover.

use layerwise_syntax::expand::{expand_word, expand_words};
use layerwise_syntax::{
    Arguments, Details, InstructionKind, Item, LogicalText, MountField, MountType, ParseErrorKind,
    Separator, parse, parse_string,
};

#[test]
fn logical_lines_copy_only_joined_text() {
    let src = "FROM a\n  RUN echo  one \\\n# note\n  two\nONBUILD RUN x \\\n y\nONBUILD RUN z\n";
    let df = parse_string(src.to_string());
    assert_eq!(df.source(), src);
    let lines: Vec<&str> = df.instructions().map(|i| i.logical_line(src)).collect();
    assert_eq!(
        lines,
        [
            "FROM a",
            "RUN echo  one   two",
            "ONBUILD RUN x  y",
            "ONBUILD RUN z"
        ]
    );
    let kept: Vec<bool> = df
        .instructions()
        .map(|i| matches!(i.logical_line, LogicalText::Joined(_)))
        .collect();
    assert_eq!(kept, [false, true, true, false]);
    // An ONBUILD trigger's line is part of its instruction's.
    let triggers: Vec<&str> = df
        .instructions()
        .filter_map(|i| i.onbuild_trigger())
        .map(|t| t.logical_line(src))
        .collect();
    assert_eq!(triggers, ["RUN x  y", "RUN z"]);
}

#[test]
fn key_value_spans_point_at_source() {
    let src = "FROM a\nENV A=1 B=\"two words\"\nENV LEGACY value  here\n";
    let df = parse(src);
    assert!(df.errors().is_empty());
    let envs: Vec<_> = df
        .instructions()
        .filter(|i| i.kind == InstructionKind::Env)
        .collect();
    let Arguments::KeyValues(pairs) = &envs[0].arguments else {
        panic!("pairs")
    };
    assert_eq!(df.text(pairs[1].key.span), "B");
    assert_eq!(df.text(pairs[1].value.span), "\"two words\"");
    assert_eq!(df.text(pairs[1].span), "B=\"two words\"");
    assert_eq!(pairs[1].separator, Separator::Equals);
    let Arguments::KeyValues(legacy) = &envs[1].arguments else {
        panic!("pairs")
    };
    assert_eq!(legacy[0].separator, Separator::Whitespace);
    assert_eq!(df.text(legacy[0].value.span), "value  here");
}

#[test]
fn arg_declarations_split_name_and_default() {
    let df = parse("ARG PY=3.12 NAME\nFROM python:${PY}\n");
    let arg = df.instructions().next().unwrap();
    let Arguments::Declarations(decls) = &arg.arguments else {
        panic!("declarations")
    };
    assert_eq!(df.text(decls[0].name.span), "PY");
    assert_eq!(df.text(decls[0].default.as_ref().unwrap().span), "3.12");
    assert_eq!(decls[1].name.value, "NAME");
    assert!(decls[1].default.is_none());
}

#[test]
fn spans_survive_line_continuations() {
    let src = "FROM a\nRUN --network=none \\\n  # note\n\n    --mount=type=cache,target=/c,sharing=nope make\n";
    let df = parse(src);
    let run = df.instructions().nth(1).unwrap();
    assert_eq!(run.comments().len(), 1);
    assert_eq!(df.text(run.comments()[0].text), "# note");
    assert_eq!(run.empty_continuation_lines().len(), 1);
    assert_eq!(df.position(run.empty_continuation_lines()[0].start).line, 4);
    let mount_flag = run.flag("mount").unwrap();
    assert_eq!(
        df.text(mount_flag.span),
        "--mount=type=cache,target=/c,sharing=nope"
    );
    let Details::Run(flags) = &run.details else {
        panic!("run flags")
    };
    let sharing = flags.mounts[0].option(MountField::Sharing).unwrap();
    assert_eq!(df.text(sharing.span), "sharing=nope");
    // The error is reported on the option, on line 5.
    assert_eq!(df.errors().len(), 1);
    let error = &df.errors()[0];
    assert_eq!(error.kind, ParseErrorKind::InvalidFlagValue);
    let at = df.position(error.span.start);
    assert_eq!((at.line, at.column), (5, 34));
    assert_eq!(df.lines(run.span), (2, 5));
}

#[test]
fn exec_form_elements_keep_quoted_spans() {
    let df = parse("CMD [ \"python\" ,\"-m\", \"a\\u00e9\" ]\n");
    let cmd = df.instructions().next().unwrap();
    assert!(cmd.is_exec_form());
    let Arguments::Exec(exec) = &cmd.arguments else {
        panic!("exec")
    };
    let values: Vec<_> = exec.elements.iter().map(|e| e.value.as_str()).collect();
    assert_eq!(values, ["python", "-m", "aé"]);
    assert_eq!(df.text(exec.elements[2].span), "\"a\\u00e9\"");
    assert_eq!(df.text(exec.span), "[ \"python\" ,\"-m\", \"a\\u00e9\" ]");
}

#[test]
fn heredoc_spans() {
    let src = "FROM a\nCOPY <<EOF /app/x\nline $X\nEOF\nRUN true\n";
    let df = parse(src);
    let copy = df.instructions().nth(1).unwrap();
    let h = &copy.heredocs()[0];
    assert_eq!(df.text(h.marker), "<<EOF");
    assert_eq!(df.text(h.body), "line $X\n");
    assert_eq!(df.text(h.terminator.unwrap()), "EOF\n");
    assert_eq!(df.text(copy.span), "COPY <<EOF /app/x\nline $X\nEOF\n");
    assert_eq!(df.instructions().count(), 3);
}

#[test]
fn errors_recover_at_the_next_instruction() {
    let src = "FROM a\nRUN --bogus x\nCMD [\"a\", 1]\nFETCH it\nUSER app\n";
    let df = parse(src);
    let kinds: Vec<_> = df.errors().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ParseErrorKind::UnknownFlag,
            ParseErrorKind::InvalidJson,
            ParseErrorKind::UnknownInstruction
        ]
    );
    let lines: Vec<_> = df
        .errors()
        .iter()
        .map(|e| df.position(e.span.start).line)
        .collect();
    assert_eq!(lines, [2, 3, 4]);
    assert_eq!(df.instructions().count(), 5);
    assert_eq!(
        df.instructions().last().unwrap().kind,
        InstructionKind::User
    );
}

#[test]
fn directives_and_items() {
    let src = "# syntax=docker/dockerfile:1\n# escape=`\n\n# comment\nFROM a\n";
    let df = parse(src);
    assert_eq!(df.escape(), '`');
    let d: Vec<_> = df.directives().collect();
    assert_eq!(d.len(), 2);
    assert_eq!(df.text(d[0].value.span), "docker/dockerfile:1");
    let kinds: Vec<_> = df
        .items()
        .iter()
        .map(|i| match i {
            Item::Directive(_) => "directive",
            Item::Comment(_) => "comment",
            Item::Blank(_) => "blank",
            Item::Instruction(_) => "instruction",
        })
        .collect();
    assert_eq!(
        kinds,
        ["directive", "directive", "blank", "comment", "instruction"]
    );
}

#[test]
fn onbuild_trigger_is_a_full_instruction() {
    let df = parse("FROM a\nONBUILD RUN --mount=type=secret,id=x cat /run/secrets/x\n");
    let onbuild = df.instructions().nth(1).unwrap();
    let trigger = onbuild.onbuild_trigger().unwrap();
    assert_eq!(trigger.kind, InstructionKind::Run);
    assert_eq!(df.text(trigger.keyword.span), "RUN");
    let Details::Run(flags) = &trigger.details else {
        panic!("run flags")
    };
    assert_eq!(flags.mounts[0].kind, MountType::Secret);
}

#[test]
fn expansion_follows_the_escape_character() {
    let env = |n: &str| (n == "HOME").then(|| "/root".to_string());
    assert_eq!(
        expand_word("${HOME}/.cache", &env, '\\').unwrap(),
        "/root/.cache"
    );
    assert_eq!(
        expand_word("C:\\dir`$HOME", &env, '`').unwrap(),
        "C:\\dir$HOME"
    );
    assert_eq!(
        expand_words("80/tcp ${PORTS:-443 8443}", &env, '\\').unwrap(),
        ["80/tcp", "443", "8443"]
    );
}
