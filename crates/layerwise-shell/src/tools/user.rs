//! `useradd`, `adduser`, `groupadd` and `addgroup` (shadow-utils, Debian's
//! adduser and BusyBox spellings).

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};

/// Which program was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserProgram {
    /// `useradd`
    UserAdd,
    /// `adduser` (Debian or BusyBox)
    AddUser,
    /// `groupadd`
    GroupAdd,
    /// `addgroup` (Debian or BusyBox)
    AddGroup,
}

impl UserProgram {
    /// True for the programs that create groups rather than users.
    pub fn creates_group(self) -> bool {
        matches!(self, UserProgram::GroupAdd | UserProgram::AddGroup)
    }
}

/// One user or group creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAdd {
    /// Which program was called.
    pub program: UserProgram,
    /// The user (or group) name.
    pub name: Option<Word>,
    /// `--system` / `-r` / BusyBox `-S`.
    pub system: bool,
    /// `--uid` / `-u` (for groups: `--gid` / `-g`).
    pub id: Option<Word>,
    /// Primary group: `--gid`/`-g` (useradd), `--ingroup`/`-G` (adduser).
    pub group: Option<Word>,
    /// Home directory: `--home-dir`/`-d` (useradd), `--home`/`-h` (adduser).
    pub home: Option<Word>,
    /// Login shell: `--shell` / `-s`.
    pub shell: Option<Word>,
    /// Whether a home directory is created: `-m` for useradd (off by
    /// default); for adduser unless `--no-create-home`/`-H`. Always false
    /// for groups.
    pub create_home: bool,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl UserAdd {
    /// The first option with this canonical name.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }
}

const USERADD: &[OptSpec] = &[
    val(&["--uid", "-u"]),
    val(&["--gid", "-g"]),
    val(&["--groups", "-G"]),
    val(&["--home-dir", "-d"]),
    val(&["--shell", "-s"]),
    val(&["--comment", "-c"]),
    val(&["--password", "-p"]),
    val(&["--expiredate", "-e"]),
    val(&["--inactive", "-f"]),
    val(&["--skel", "-k"]),
    val(&["--key", "-K"]),
    val(&["--base-dir", "-b"]),
    val(&["--root", "-R"]),
    val(&["--prefix", "-P"]),
    flag(&["--system", "-r"]),
    flag(&["--create-home", "-m"]),
    flag(&["--no-create-home", "-M"]),
    flag(&["--no-user-group", "-N"]),
    flag(&["--user-group", "-U"]),
    flag(&["--no-log-init", "-l"]),
    flag(&["--non-unique", "-o"]),
];

/// Debian's long options plus BusyBox's short ones.
const ADDUSER: &[OptSpec] = &[
    val(&["--uid", "-u"]),
    val(&["--gid"]),
    val(&["--ingroup", "-G"]),
    val(&["--home", "-h"]),
    val(&["--shell", "-s"]),
    val(&["--gecos", "-g"]),
    val(&["--comment"]),
    val(&["--firstuid"]),
    val(&["--lastuid"]),
    val(&["--conf", "-k"]),
    flag(&["--system", "-S"]),
    flag(&["--disabled-password", "-D"]),
    flag(&["--disabled-login"]),
    flag(&["--no-create-home", "-H"]),
    flag(&["--group"]),
    flag(&["--quiet", "-q"]),
];

const GROUPADD: &[OptSpec] = &[
    val(&["--gid", "-g"]),
    val(&["--key", "-K"]),
    val(&["--password", "-p"]),
    val(&["--root", "-R"]),
    val(&["--prefix", "-P"]),
    val(&["--users", "-U"]),
    flag(&["--system", "-r", "-S"]),
    flag(&["--force", "-f"]),
    flag(&["--non-unique", "-o"]),
    flag(&["--quiet", "-q"]),
];

fn value(opts: &[Opt], name: &str) -> Option<Word> {
    find(opts, name).and_then(|o| o.value.clone())
}

/// Parses the arguments after the program name.
pub(crate) fn parse(program: UserProgram, args: &[Word]) -> UserAdd {
    let spec = match program {
        UserProgram::UserAdd => USERADD,
        UserProgram::AddUser => ADDUSER,
        UserProgram::GroupAdd | UserProgram::AddGroup => GROUPADD,
    };
    let parsed = parse_args(args, &[spec], false);
    let opts = &parsed.opts;
    let has = |n: &str| find(opts, n).is_some();
    let (name, id, group, home, create_home) = match program {
        // `useradd [options] NAME`
        UserProgram::UserAdd => (
            parsed.positionals.last().cloned(),
            value(opts, "--uid"),
            value(opts, "--gid"),
            value(opts, "--home-dir"),
            has("--create-home") && !has("--no-create-home"),
        ),
        // `adduser [options] USER [GROUP]`
        UserProgram::AddUser => (
            parsed.positionals.first().cloned(),
            value(opts, "--uid"),
            value(opts, "--ingroup").or_else(|| value(opts, "--gid")),
            value(opts, "--home"),
            !has("--no-create-home"),
        ),
        UserProgram::GroupAdd | UserProgram::AddGroup => (
            if program == UserProgram::GroupAdd {
                parsed.positionals.last().cloned()
            } else {
                parsed.positionals.first().cloned()
            },
            value(opts, "--gid"),
            None,
            None,
            false,
        ),
    };
    UserAdd {
        program,
        name,
        system: has("--system"),
        id,
        group,
        home,
        shell: value(opts, "--shell"),
        create_home,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn users(s: &str) -> Vec<UserAdd> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::UserAdd(u) => Some(u),
                _ => None,
            })
            .collect()
    }

    fn text(w: &Option<Word>) -> Option<&str> {
        w.as_ref().map(|w| w.text.as_str())
    }

    #[test]
    fn shadow_utils() {
        let s = "groupadd --system --gid 10001 app && useradd -r -u 10001 -g app -m -d /home/app -s /sbin/nologin app";
        let all = users(s);
        assert_eq!(all[0].program, UserProgram::GroupAdd);
        assert!(all[0].program.creates_group());
        assert!(all[0].system);
        assert_eq!(text(&all[0].id), Some("10001"));
        assert_eq!(text(&all[0].name), Some("app"));
        let u = &all[1];
        assert!(u.system && u.create_home);
        assert_eq!(text(&u.id), Some("10001"));
        assert_eq!(text(&u.group), Some("app"));
        assert_eq!(text(&u.home), Some("/home/app"));
        assert_eq!(text(&u.shell), Some("/sbin/nologin"));
        assert_eq!(u.name.as_ref().map(|w| &s[w.span.clone()]), Some("app"));
    }

    #[test]
    fn debian_and_busybox_adduser() {
        let all = users(
            "adduser --system --uid 999 --home /srv --disabled-password --gecos '' worker; \
             addgroup -S app && adduser -S -D -H -u 1000 -G app app; useradd bob",
        );
        let d = &all[0];
        assert!(d.system && d.create_home);
        assert_eq!(text(&d.name), Some("worker"));
        assert_eq!(text(&d.id), Some("999"));
        assert_eq!(text(&d.home), Some("/srv"));
        assert_eq!(all[1].program, UserProgram::AddGroup);
        assert!(all[1].system);
        assert_eq!(text(&all[1].name), Some("app"));
        let b = &all[2];
        assert!(b.system && !b.create_home);
        assert_eq!(text(&b.name), Some("app"));
        assert_eq!(text(&b.group), Some("app"));
        assert_eq!(text(&b.id), Some("1000"));
        let plain = &all[3];
        assert!(!plain.system && !plain.create_home);
        assert_eq!(text(&plain.name), Some("bob"));
    }
}
