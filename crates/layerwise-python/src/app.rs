//! Finding the application and the command that starts it in a container.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::error::DetectError;
use crate::manifest::read_optional;
use crate::source::{Source, relative_display};

/// Web frameworks recognised by their application object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Django, found through `manage.py`.
    Django,
    /// `FastAPI()`.
    FastApi,
    /// `Starlette()`.
    Starlette,
    /// `Flask()`.
    Flask,
    /// `Bottle()`.
    Bottle,
    /// `falcon.App()`.
    Falcon,
    /// `Quart()`.
    Quart,
}

impl Framework {
    fn is_asgi(self) -> bool {
        matches!(
            self,
            Framework::FastApi | Framework::Starlette | Framework::Quart
        )
    }
}

/// How the start command was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppKind {
    /// A `web:` line in a Procfile (always wins: the author said so).
    Procfile,
    /// A WSGI or ASGI application object served by an application server.
    WebApp,
    /// A console script from `[project.scripts]` or Poetry scripts.
    ConsoleScript,
    /// A package with `__main__.py`, run with `python -m`.
    Module,
    /// A top-level script with an `if __name__ == "__main__"` block.
    Script,
}

/// The application and how to start it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct App {
    /// How it was found.
    pub kind: AppKind,
    /// The web framework, when one was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<Framework>,
    /// `module:attribute` of the application object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The command as an argv vector, for an exec-form `CMD`.
    pub command: Vec<String>,
    /// The port the command listens on, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The application server the command runs (`gunicorn`, `uvicorn`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// False when `server` is not among the dependencies: the command would
    /// fail until it is added.
    pub server_declared: bool,
    /// Where the decisive fact was found.
    pub source: Source,
}

/// What app detection needs to know from the rest of the project.
pub(crate) struct AppContext<'a> {
    pub root: &'a Path,
    /// Declared and locked package names, normalised.
    pub packages: &'a BTreeSet<String>,
    /// Console scripts: name, target, where declared.
    pub scripts: &'a [(String, String, Source)],
    /// The project itself is installed (so its scripts and modules exist).
    pub installed: bool,
}

/// Directories never searched for application code.
const SKIP_DIRS: [&str; 14] = [
    ".git",
    ".venv",
    "venv",
    "env",
    ".env",
    "node_modules",
    "__pycache__",
    ".tox",
    "build",
    "dist",
    "tests",
    "test",
    "docs",
    "site-packages",
];

/// Python files below `root`, sorted, at most `limit`, at most 5 levels deep.
fn python_files(root: &Path, limit: usize) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < 5 && !SKIP_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                    pending.push((path, depth + 1));
                }
            } else if kind.is_file() && name.ends_with(".py") && out.len() < limit {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Dotted module name of a file, with a leading `src/` removed.
fn module_name(root: &Path, path: &Path) -> (String, bool) {
    let rel = relative_display(root, path);
    let (rel, in_src) = match rel.strip_prefix("src/") {
        Some(rest) => (rest.to_string(), true),
        None => (rel, false),
    };
    let without_ext = rel.strip_suffix(".py").unwrap_or(&rel);
    let module = without_ext
        .strip_suffix("/__init__")
        .unwrap_or(without_ext)
        .replace('/', ".");
    (module, in_src)
}

/// `name = Constructor(` at the start of a line, for the known frameworks.
fn app_object(line: &str) -> Option<(String, Framework)> {
    const CONSTRUCTORS: [(&str, Framework); 12] = [
        ("FastAPI(", Framework::FastApi),
        ("fastapi.FastAPI(", Framework::FastApi),
        ("Starlette(", Framework::Starlette),
        ("starlette.applications.Starlette(", Framework::Starlette),
        ("Flask(", Framework::Flask),
        ("flask.Flask(", Framework::Flask),
        ("Bottle(", Framework::Bottle),
        ("bottle.Bottle(", Framework::Bottle),
        ("falcon.App(", Framework::Falcon),
        ("falcon.asgi.App(", Framework::Falcon),
        ("Quart(", Framework::Quart),
        ("quart.Quart(", Framework::Quart),
    ];
    let (lhs, rhs) = line.split_once('=')?;
    let name = lhs.split(':').next()?.trim_end();
    let is_identifier = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_identifier || rhs.starts_with('=') {
        return None;
    }
    let rhs = rhs.trim_start();
    CONSTRUCTORS
        .iter()
        .find(|(ctor, _)| rhs.starts_with(ctor))
        .map(|(_, fw)| (name.to_string(), *fw))
}

/// First quoted string after `key` in `text`.
fn quoted_after<'a>(text: &'a str, key: &str) -> Option<(&'a str, usize)> {
    let at = text.find(key)?;
    // Skip the closing quote of the key itself (`"KEY", "value"`).
    let after_key = &text[at + key.len()..];
    let rest = after_key.trim_start_matches(['"', '\'']);
    let open = rest.find(['"', '\''])?;
    let quote = rest[open..].chars().next()?;
    let value_start = open + 1;
    let close = rest[value_start..].find(quote)?;
    Some((&rest[value_start..value_start + close], at))
}

fn line_of(text: &str, offset: usize) -> usize {
    crate::source::line_col(text, offset).0
}

/// Port given to a server command, from `--bind host:port`, `--port N`,
/// `-p N`, `--listen=host:port`, or the default of `${PORT:-N}`.
fn port_in(argv: &[String]) -> Option<u16> {
    let parse_hostport = |value: &str| -> Option<u16> {
        if let Some((_, default)) = value.split_once("${PORT:-") {
            return default.split('}').next()?.parse().ok();
        }
        value.rsplit(':').next()?.parse().ok()
    };
    for (index, arg) in argv.iter().enumerate() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let value = inline.or_else(|| argv.get(index + 1).cloned());
        let port = match flag {
            "--bind" | "-b" | "--listen" => value.and_then(|v| parse_hostport(&v)),
            "--port" | "-p" => value.and_then(|v| parse_hostport(&format!(":{v}"))),
            _ => None,
        };
        if port.is_some() {
            return port;
        }
    }
    None
}

const SERVERS: [&str; 6] = [
    "gunicorn",
    "uvicorn",
    "hypercorn",
    "waitress-serve",
    "daphne",
    "granian",
];

/// Python package that provides a server executable.
fn server_package(server: &str) -> &str {
    match server {
        "waitress-serve" => "waitress",
        other => other,
    }
}

fn procfile(ctx: &AppContext<'_>) -> Result<Option<App>, DetectError> {
    let Some(text) = read_optional(ctx.root, "Procfile")? else {
        return Ok(None);
    };
    for (index, line) in text.lines().enumerate() {
        let Some(command) = line.trim().strip_prefix("web:") else {
            continue;
        };
        let command = command.trim();
        let source = Source::line("Procfile", index + 1);
        let words = shlex::split(command).ok_or_else(|| {
            DetectError::parse(
                "Procfile",
                index + 1,
                1,
                "unbalanced quotes in the web command",
            )
        })?;
        // Variables such as $PORT need a shell to expand.
        let argv = if command.contains('$') {
            vec![
                "sh".to_string(),
                "-c".to_string(),
                format!("exec {command}"),
            ]
        } else {
            words.clone()
        };
        let server = words
            .iter()
            .find(|w| SERVERS.contains(&w.as_str()))
            .cloned();
        let port = port_in(&words).or_else(|| match server.as_deref() {
            Some(_) => Some(8000),
            None if words.iter().any(|w| w == "flask") => Some(5000),
            None => None,
        });
        let server_declared = server
            .as_deref()
            .is_none_or(|s| ctx.packages.contains(server_package(s)));
        return Ok(Some(App {
            kind: AppKind::Procfile,
            framework: None,
            target: None,
            command: argv,
            port,
            server,
            server_declared,
            source,
        }));
    }
    Ok(None)
}

/// Chooses the server for a WSGI or ASGI target among the declared ones.
fn serve(
    ctx: &AppContext<'_>,
    target: &str,
    asgi: bool,
    in_src: bool,
) -> (Vec<String>, String, bool) {
    let has = |p: &str| ctx.packages.contains(p);
    let chdir = in_src && !ctx.installed;
    let s = |v: &str| v.to_string();
    if asgi {
        if !has("uvicorn") && has("hypercorn") {
            let argv = vec![s("hypercorn"), s("--bind"), s("0.0.0.0:8000"), s(target)];
            return (argv, s("hypercorn"), true);
        }
        let mut argv = vec![
            s("uvicorn"),
            s(target),
            s("--host"),
            s("0.0.0.0"),
            s("--port"),
            s("8000"),
        ];
        if chdir {
            argv.extend([s("--app-dir"), s("src")]);
        }
        return (argv, s("uvicorn"), has("uvicorn"));
    }
    if !has("gunicorn") && has("waitress") {
        let argv = vec![s("waitress-serve"), s("--listen=0.0.0.0:8000"), s(target)];
        return (argv, s("waitress-serve"), true);
    }
    let mut argv = vec![s("gunicorn"), s("--bind"), s("0.0.0.0:8000")];
    if chdir {
        argv.extend([s("--chdir"), s("src")]);
    }
    argv.push(s(target));
    (argv, s("gunicorn"), has("gunicorn"))
}

fn django(ctx: &AppContext<'_>) -> Result<Option<App>, DetectError> {
    let (manage_path, in_src) = if ctx.root.join("manage.py").is_file() {
        ("manage.py", false)
    } else if ctx.root.join("src/manage.py").is_file() {
        ("src/manage.py", true)
    } else {
        return Ok(None);
    };
    let manage = read_optional(ctx.root, manage_path)?.unwrap_or_default();
    let base = if in_src { "src/" } else { "" };
    let mut source = Source::file(manage_path);
    let mut wsgi = None;
    let mut asgi = None;
    let settings_module = quoted_after(&manage, "DJANGO_SETTINGS_MODULE").map(|(s, _)| s);
    if let Some(settings) = settings_module {
        let file = format!("{base}{}", settings.replace('.', "/"));
        for candidate in [format!("{file}.py"), format!("{file}/__init__.py")] {
            if let Some(text) = read_optional(ctx.root, &candidate)? {
                if let Some((value, at)) = quoted_after(&text, "WSGI_APPLICATION") {
                    wsgi = Some(value.to_string());
                    source = Source::line(candidate.clone(), line_of(&text, at));
                }
                if let Some((value, at)) = quoted_after(&text, "ASGI_APPLICATION") {
                    asgi = Some((
                        value.to_string(),
                        Source::line(candidate.clone(), line_of(&text, at)),
                    ));
                }
                break;
            }
        }
    }
    // Split settings (`proj.settings.production`) often keep the setting in
    // a base module; the project package's wsgi.py is the conventional target.
    if wsgi.is_none() && asgi.is_none() {
        let package = settings_module
            .and_then(|s| s.split('.').next())
            .filter(|p| !p.is_empty());
        if let Some(package) = package {
            let file = format!("{base}{package}/wsgi.py");
            if ctx.root.join(&file).is_file() {
                wsgi = Some(format!("{package}.wsgi.application"));
                source = Source::file(file);
            }
        }
    }
    let wants_asgi = asgi.is_some()
        && (wsgi.is_none()
            || ["channels", "daphne", "uvicorn"]
                .iter()
                .any(|p| ctx.packages.contains(*p)));
    let (dotted, asgi_mode) = match (wants_asgi, &asgi, &wsgi) {
        (true, Some((value, where_)), _) => {
            source = where_.clone();
            (value.clone(), true)
        }
        (_, _, Some(value)) => (value.clone(), false),
        _ => return Ok(None),
    };
    let target = match dotted.rsplit_once('.') {
        Some((module, attr)) => format!("{module}:{attr}"),
        None => return Ok(None),
    };
    let (command, server, server_declared) = serve(ctx, &target, asgi_mode, in_src);
    Ok(Some(App {
        kind: AppKind::WebApp,
        framework: Some(Framework::Django),
        target: Some(target),
        command,
        port: Some(8000),
        server: Some(server),
        server_declared,
        source,
    }))
}

fn web_app(ctx: &AppContext<'_>, files: &[std::path::PathBuf]) -> Result<Option<App>, DetectError> {
    let mut found: Vec<(String, Framework, bool, Source)> = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let mut factory = None;
        for (index, line) in text.lines().enumerate() {
            if factory.is_none() && line.starts_with("def create_app(") {
                factory = Some(index + 1);
            }
            if let Some((var, framework)) = app_object(line) {
                factory = None;
                let (module, in_src) = module_name(ctx.root, path);
                let display = relative_display(ctx.root, path);
                found.push((
                    format!("{module}:{var}"),
                    framework,
                    in_src,
                    Source::line(display, index + 1),
                ));
                break;
            }
        }
        // Flask's application-factory pattern; gunicorn calls `create_app()`.
        if let Some(line) = factory.filter(|_| text.contains("Flask(")) {
            let (module, in_src) = module_name(ctx.root, path);
            let display = relative_display(ctx.root, path);
            found.push((
                format!("{module}:create_app()"),
                Framework::Flask,
                in_src,
                Source::line(display, line),
            ));
        }
    }
    // Prefer shallow modules named like an entry point (app.py, main.py).
    found.sort_by_key(|(target, ..)| {
        let module = target.split(':').next().unwrap_or_default();
        let leaf = module.rsplit('.').next().unwrap_or_default();
        let preferred = matches!(leaf, "app" | "main" | "server" | "api" | "wsgi" | "asgi");
        (module.matches('.').count(), !preferred, module.to_string())
    });
    let Some((target, framework, in_src, source)) = found.into_iter().next() else {
        return Ok(None);
    };
    let (command, server, server_declared) = serve(ctx, &target, framework.is_asgi(), in_src);
    Ok(Some(App {
        kind: AppKind::WebApp,
        framework: Some(framework),
        target: Some(target),
        command,
        port: Some(8000),
        server: Some(server),
        server_declared,
        source,
    }))
}

fn console_script(ctx: &AppContext<'_>) -> Option<App> {
    if !ctx.installed {
        return None;
    }
    let (name, target, source) = ctx.scripts.first()?;
    Some(App {
        kind: AppKind::ConsoleScript,
        framework: None,
        target: Some(target.clone()),
        command: vec![name.clone()],
        port: None,
        server: None,
        server_declared: true,
        source: source.clone(),
    })
}

fn main_module(ctx: &AppContext<'_>, files: &[std::path::PathBuf]) -> Option<App> {
    let main = files.iter().find(|p| {
        p.file_name().is_some_and(|n| n == "__main__.py")
            && relative_display(ctx.root, p).matches('/').count() <= 2
    })?;
    let package = main.parent()?;
    let (module, _) = module_name(ctx.root, &package.join("__init__.py"));
    let command = if package == ctx.root {
        // `python DIR` runs DIR/__main__.py; the code is the working directory.
        vec!["python".to_string(), ".".to_string()]
    } else {
        vec!["python".to_string(), "-m".to_string(), module]
    };
    let in_src = module_name(ctx.root, main).1;
    Some(module_app(
        ctx,
        command,
        in_src,
        Source::file(relative_display(ctx.root, main)),
    ))
}

/// An app run as `command` (`python -m …`); a module under `src/` of a
/// project that is not installed needs `src` on the path.
fn module_app(ctx: &AppContext<'_>, mut command: Vec<String>, in_src: bool, source: Source) -> App {
    if in_src && !ctx.installed {
        command.splice(0..0, ["env".to_string(), "PYTHONPATH=src".to_string()]);
    }
    App {
        kind: AppKind::Module,
        framework: None,
        target: None,
        command,
        port: None,
        server: None,
        server_declared: true,
        source,
    }
}

/// Where `text` has an `if __name__ == "__main__":` guard, if anywhere.
fn main_guard(text: &str) -> Option<usize> {
    text.find("__name__ ==").or_else(|| text.find("__name__=="))
}

fn script(ctx: &AppContext<'_>, files: &[std::path::PathBuf]) -> Result<Option<App>, DetectError> {
    for name in ["main.py", "app.py", "server.py", "run.py"] {
        let Some(text) = read_optional(ctx.root, name)? else {
            continue;
        };
        if let Some(at) = main_guard(&text) {
            return Ok(Some(App {
                kind: AppKind::Script,
                framework: None,
                target: None,
                command: vec!["python".to_string(), name.to_string()],
                port: None,
                server: None,
                server_declared: true,
                source: Source::line(name, line_of(&text, at)),
            }));
        }
    }
    Ok(guarded_module(ctx, files))
}

/// A module inside a package with a `__main__` guard (`jobs/run.py`, run as
/// `python -m jobs.run`). With several, the shallowest with an entry-point
/// name (main, run, cli, app, server) wins, then the shallowest, then by path.
fn guarded_module(ctx: &AppContext<'_>, files: &[std::path::PathBuf]) -> Option<App> {
    const ENTRY_NAMES: [&str; 5] = ["main.py", "run.py", "cli.py", "app.py", "server.py"];
    let mut best: Option<((bool, usize, String), App)> = None;
    for path in files {
        let rel = relative_display(ctx.root, path);
        let depth = rel.matches('/').count();
        let name = rel.rsplit('/').next().unwrap_or_default();
        let is_test = rel
            .split('/')
            .any(|part| part == "tests" || part == "test" || part.starts_with("test_"));
        if depth == 0 || depth > 3 || is_test || name == "__main__.py" || name == "setup.py" {
            continue;
        }
        // An unreadable or binary file is not an entry point; not an error.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(at) = main_guard(&text) else {
            continue;
        };
        let rank = (!ENTRY_NAMES.contains(&name), depth, rel.clone());
        if best.as_ref().is_some_and(|(r, _)| *r <= rank) {
            continue;
        }
        let (module, in_src) = module_name(ctx.root, path);
        let command = vec!["python".to_string(), "-m".to_string(), module];
        let source = Source::line(&rel, line_of(&text, at));
        best = Some((rank, module_app(ctx, command, in_src, source)));
    }
    best.map(|(_, app)| app)
}

/// Finds the start command. Order: Procfile, Django, a web application whose
/// server is declared, a console script, a web application whose server is
/// missing, `__main__.py`, a top-level script.
pub(crate) fn detect_app(ctx: &AppContext<'_>) -> Result<Option<App>, DetectError> {
    if let Some(app) = procfile(ctx)? {
        return Ok(Some(app));
    }
    if let Some(app) = django(ctx)? {
        return Ok(Some(app));
    }
    let files = python_files(ctx.root, 2000);
    let web = web_app(ctx, &files)?;
    if let Some(app) = web.as_ref().filter(|a| a.server_declared) {
        return Ok(Some(app.clone()));
    }
    if let Some(app) = console_script(ctx) {
        return Ok(Some(app));
    }
    if web.is_some() {
        return Ok(web);
    }
    if let Some(app) = main_module(ctx, &files) {
        return Ok(Some(app));
    }
    script(ctx, &files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, files: &[(&str, &str)]) {
        for (name, content) in files {
            let path = root.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("mkdir");
            }
            fs::write(path, content).expect("write");
        }
    }

    fn detect(
        files: &[(&str, &str)],
        packages: &[&str],
        scripts: &[(&str, &str)],
        installed: bool,
    ) -> Option<App> {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), files);
        let packages: BTreeSet<String> = packages.iter().map(|s| (*s).to_string()).collect();
        let scripts: Vec<_> = scripts
            .iter()
            .map(|(n, t)| {
                (
                    (*n).to_string(),
                    (*t).to_string(),
                    Source::line("pyproject.toml", 9),
                )
            })
            .collect();
        detect_app(&AppContext {
            root: dir.path(),
            packages: &packages,
            scripts: &scripts,
            installed,
        })
        .expect("detect")
    }

    #[test]
    fn fastapi_module_in_package() {
        let app = detect(
            &[
                ("app/__init__.py", ""),
                (
                    "app/main.py",
                    "from fastapi import FastAPI\n\napp = FastAPI(title='x')\n",
                ),
            ],
            &["fastapi", "uvicorn"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.framework, Some(Framework::FastApi));
        assert_eq!(app.target.as_deref(), Some("app.main:app"));
        assert_eq!(
            app.command,
            [
                "uvicorn",
                "app.main:app",
                "--host",
                "0.0.0.0",
                "--port",
                "8000"
            ]
        );
        assert_eq!(app.source, Source::line("app/main.py", 3));
        assert!(app.server_declared);
    }

    #[test]
    fn flask_without_gunicorn_is_flagged() {
        let app = detect(
            &[("app.py", "import flask\napp = flask.Flask(__name__)\n")],
            &["flask"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(
            app.command,
            ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
        );
        assert_eq!(app.server.as_deref(), Some("gunicorn"));
        assert!(!app.server_declared);
    }

    #[test]
    fn wsgi_app_uses_declared_waitress() {
        let app = detect(
            &[
                ("src/pkg/__init__.py", ""),
                ("src/pkg/web.py", "application = Flask(__name__)\n"),
            ],
            &["flask", "waitress"],
            &[("pkg", "pkg.web:main")],
            true,
        )
        .expect("app");
        assert_eq!(
            app.command,
            [
                "waitress-serve",
                "--listen=0.0.0.0:8000",
                "pkg.web:application"
            ]
        );
        assert!(app.server_declared);
    }

    #[test]
    fn src_layout_not_installed_changes_directory() {
        let app = detect(
            &[("src/svc/api.py", "app = Starlette()\n")],
            &["starlette", "uvicorn"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.target.as_deref(), Some("svc.api:app"));
        assert!(
            app.command
                .ends_with(&["--app-dir".to_string(), "src".to_string()])
        );
    }

    #[test]
    fn procfile_wins_and_gives_port() {
        let app = detect(
            &[
                (
                    "Procfile",
                    "release: ./migrate\nweb: gunicorn -b 0.0.0.0:9000 app:app\n",
                ),
                ("app.py", "app = Flask(__name__)\n"),
            ],
            &["flask"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.kind, AppKind::Procfile);
        assert_eq!(app.command, ["gunicorn", "-b", "0.0.0.0:9000", "app:app"]);
        assert_eq!(app.port, Some(9000));
        assert_eq!(app.source, Source::line("Procfile", 2));
        assert!(!app.server_declared);
    }

    #[test]
    fn procfile_with_variables_runs_through_a_shell() {
        let app = detect(
            &[("Procfile", "web: uvicorn main:app --port ${PORT:-8080}\n")],
            &["uvicorn"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.command[..2], ["sh".to_string(), "-c".to_string()]);
        assert_eq!(app.port, Some(8080));
        assert!(app.server_declared);
    }

    #[test]
    fn procfile_unbalanced_quote_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), &[("Procfile", "web: gunicorn 'app:app\n")]);
        let packages = BTreeSet::new();
        let err = detect_app(&AppContext {
            root: dir.path(),
            packages: &packages,
            scripts: &[],
            installed: false,
        })
        .expect_err("bad");
        assert!(matches!(err, DetectError::Parse { line: 1, .. }));
    }

    #[test]
    fn django_wsgi_and_asgi() {
        let files = [
            (
                "manage.py",
                "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
            ),
            (
                "proj/settings.py",
                "DEBUG = False\nWSGI_APPLICATION = 'proj.wsgi.application'\nASGI_APPLICATION = 'proj.asgi.application'\n",
            ),
        ];
        let wsgi = detect(&files, &["django", "gunicorn"], &[], false).expect("app");
        assert_eq!(
            wsgi.command,
            [
                "gunicorn",
                "--bind",
                "0.0.0.0:8000",
                "proj.wsgi:application"
            ]
        );
        assert_eq!(wsgi.source, Source::line("proj/settings.py", 2));
        let asgi = detect(&files, &["django", "uvicorn"], &[], false).expect("app");
        assert_eq!(
            asgi.command[..2],
            ["uvicorn".to_string(), "proj.asgi:application".to_string()]
        );
        assert_eq!(asgi.source, Source::line("proj/settings.py", 3));
    }

    #[test]
    fn console_script_then_main_module_then_script() {
        let app = detect(
            &[("src/tool/__main__.py", "main()\n")],
            &[],
            &[("tool", "tool.cli:main")],
            true,
        )
        .expect("app");
        assert_eq!(app.kind, AppKind::ConsoleScript);
        assert_eq!(app.command, ["tool"]);
        let app = detect(
            &[("src/tool/__main__.py", "main()\n")],
            &[],
            &[("tool", "tool.cli:main")],
            false,
        )
        .expect("app");
        assert_eq!(
            app.command,
            ["env", "PYTHONPATH=src", "python", "-m", "tool"]
        );
        let app = detect(
            &[(
                "main.py",
                "def go(): pass\nif __name__ == '__main__':\n    go()\n",
            )],
            &[],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.command, ["python", "main.py"]);
        assert_eq!(app.source, Source::line("main.py", 2));
        assert!(detect(&[("lib.py", "x = 1\n")], &[], &[], false).is_none());
    }

    #[test]
    fn a_guarded_module_in_a_package_runs_with_python_m() {
        let guard = "def main(): pass\n\nif __name__ == \"__main__\":\n    main()\n";
        let app = detect(
            &[
                ("jobs/__init__.py", ""),
                ("jobs/helpers.py", "x = 1\n"),
                ("jobs/run.py", guard),
                ("tests/test_run.py", guard),
            ],
            &[],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.command, ["python", "-m", "jobs.run"]);
        assert_eq!(app.source, Source::line("jobs/run.py", 3));
        // An entry-point name wins over other guarded modules.
        let app = detect(
            &[("tools/aaa.py", guard), ("tools/cli.py", guard)],
            &[],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.command, ["python", "-m", "tools.cli"]);
    }

    #[test]
    fn a_top_level_main_runs_the_directory() {
        let app = detect(&[("__main__.py", "print(1)\n")], &[], &[], false).expect("app");
        assert_eq!(app.command, ["python", "."]);
        let app = detect(&[("pkg/__main__.py", "print(1)\n")], &[], &[], false).expect("app");
        assert_eq!(app.command, ["python", "-m", "pkg"]);
    }

    #[test]
    fn flask_factory_and_split_django_settings() {
        let app = detect(
            &[("web/__init__.py", "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n")],
            &["flask", "gunicorn"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.target.as_deref(), Some("web:create_app()"));
        assert_eq!(app.source, Source::line("web/__init__.py", 3));
        let app = detect(
            &[
                (
                    "manage.py",
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.prod')\n",
                ),
                ("proj/settings/prod.py", "from .base import *\n"),
                ("proj/wsgi.py", "application = get_wsgi_application()\n"),
            ],
            &["django", "gunicorn"],
            &[],
            false,
        )
        .expect("app");
        assert_eq!(app.target.as_deref(), Some("proj.wsgi:application"));
        assert_eq!(app.source, Source::file("proj/wsgi.py"));
    }

    #[test]
    fn app_object_parsing() {
        assert_eq!(
            app_object("app = FastAPI()"),
            Some(("app".to_string(), Framework::FastApi))
        );
        assert_eq!(
            app_object("api: FastAPI = FastAPI()"),
            Some(("api".to_string(), Framework::FastApi))
        );
        assert_eq!(app_object("    app = Flask(__name__)"), None);
        assert_eq!(app_object("if app == Flask(x)"), None);
        assert_eq!(app_object("app = make_app()"), None);
    }
}
