//! The part of the compose format `build --compose` needs.

use std::path::{Path, PathBuf};

use layerwise_engine::BuildOptions;
use yaml_rust2::{Yaml, YamlLoader};

use crate::Job;

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub image: Option<String>,
    pub build: Option<Build>,
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Build {
    pub context: String,
    pub dockerfile: Option<String>,
    pub target: Option<String>,
    pub args: Vec<(String, String)>,
    /// Images whose inline build cache the build may import.
    pub cache_from: Vec<String>,
}

fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Services in file order.
pub fn parse(text: &str) -> Result<Vec<Service>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let doc = docs.first().ok_or("empty compose file")?;
    let services = doc["services"].as_hash().ok_or("no services mapping")?;
    let mut out = Vec::new();
    for (name, body) in services {
        let name = scalar(name).ok_or("a service name is not a string")?;
        let build = match &body["build"] {
            Yaml::BadValue | Yaml::Null => None,
            Yaml::String(context) => Some(Build {
                context: context.clone(),
                ..Build::default()
            }),
            Yaml::Hash(_) => {
                let section = &body["build"];
                let args = match &section["args"] {
                    Yaml::Hash(map) => map
                        .iter()
                        .filter_map(|(k, v)| Some((scalar(k)?, scalar(v).unwrap_or_default())))
                        .collect(),
                    Yaml::Array(list) => list
                        .iter()
                        .filter_map(scalar)
                        .filter_map(|item| {
                            let (k, v) = item.split_once('=')?;
                            Some((k.to_string(), v.to_string()))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let cache_from = match &section["cache_from"] {
                    Yaml::Array(list) => list.iter().filter_map(scalar).collect(),
                    _ => Vec::new(),
                };
                Some(Build {
                    context: scalar(&section["context"]).unwrap_or_else(|| ".".into()),
                    dockerfile: scalar(&section["dockerfile"]),
                    target: scalar(&section["target"]),
                    args,
                    cache_from,
                })
            }
            _ => return Err(format!("service {name}: build must be a path or a mapping")),
        };
        let depends_on = match &body["depends_on"] {
            Yaml::Array(list) => list.iter().filter_map(scalar).collect(),
            Yaml::Hash(map) => map.keys().filter_map(scalar).collect(),
            _ => Vec::new(),
        };
        out.push(Service {
            name,
            image: scalar(&body["image"]),
            build,
            depends_on,
        });
    }
    Ok(out)
}

/// Indices in an order where every service comes after what it depends on.
pub fn order(services: &[Service]) -> Result<Vec<usize>, String> {
    let mut order = Vec::new();
    let mut state = vec![0u8; services.len()]; // 0 new, 1 visiting, 2 done
    fn visit(
        i: usize,
        services: &[Service],
        state: &mut [u8],
        order: &mut Vec<usize>,
    ) -> Result<(), String> {
        match state[i] {
            2 => return Ok(()),
            1 => {
                return Err(format!(
                    "depends_on cycle through service {}",
                    services[i].name
                ));
            }
            _ => {}
        }
        state[i] = 1;
        for dependency in &services[i].depends_on {
            let j = services
                .iter()
                .position(|s| &s.name == dependency)
                .ok_or_else(|| {
                    format!(
                        "service {} depends on unknown service {dependency}",
                        services[i].name
                    )
                })?;
            visit(j, services, state, order)?;
        }
        state[i] = 2;
        order.push(i);
        Ok(())
    }
    for i in 0..services.len() {
        visit(i, services, &mut state, &mut order)?;
    }
    Ok(order)
}

/// Compose's project name rule: lower-case letters, digits, `_` and `-`.
pub fn project_name(dir: &str) -> String {
    let name: String = dir
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if name.is_empty() {
        "project".to_string()
    } else {
        name
    }
}
/// A job per service of a compose file that has a `build:` section,
/// dependencies first. `file` empty or `.` means the default names in `dir`;
/// `base` holds the command line's options, which a service's own target
/// and args override.
pub fn jobs(dir: &Path, file: &Path, base: &BuildOptions) -> Result<Vec<Job>, String> {
    let path = if file.as_os_str().is_empty() || file == Path::new(".") {
        [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
        ]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("no compose.yaml or docker-compose.yml in {}", dir.display()))?
    } else {
        file.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let services = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let project = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".to_string());
    let project = project_name(&project);
    let order = order(&services)?;
    let mut jobs = Vec::new();
    for index in order {
        let service = &services[index];
        let Some(build) = &service.build else {
            continue;
        };
        let context = root.join(&build.context);
        let dockerfile = context.join(build.dockerfile.as_deref().unwrap_or("Dockerfile"));
        let mut options = base.clone();
        options.tags = match &service.image {
            Some(image) => vec![image.clone()],
            None => vec![format!("{project}-{}", service.name)],
        };
        options.tags.extend(base.tags.iter().cloned());
        if build.target.is_some() {
            options.target = build.target.clone();
        }
        for (key, value) in &build.args {
            options.build_args.retain(|(k, _)| k != key);
            options.build_args.push((key.clone(), value.clone()));
        }
        for image in &build.cache_from {
            if !options.cache_from.contains(image) {
                options.cache_from.push(image.clone());
            }
        }
        jobs.push(Job {
            service: Some(service.name.clone()),
            context,
            dockerfile,
            options,
        });
    }
    if jobs.is_empty() {
        return Err(format!(
            "{}: no service has a build section",
            path.display()
        ));
    }
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_services_are_ordered_by_depends_on() {
        let text = "\
services:
  web:
    build:
      context: ./web
      args:
        MODE: prod
      cache_from:
        - registry.example/team/web:latest
    depends_on: [api]
  api:
    build: ./api
    image: example/api:1
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
";
        let services = parse(text).unwrap();
        assert_eq!(services.len(), 3);
        assert_eq!(
            services[0].build.as_ref().unwrap().args,
            vec![("MODE".to_string(), "prod".to_string())]
        );
        assert_eq!(
            services[0].build.as_ref().unwrap().cache_from,
            vec!["registry.example/team/web:latest".to_string()]
        );
        let ordered: Vec<&str> = order(&services)
            .unwrap()
            .iter()
            .map(|&i| services[i].name.as_str())
            .collect();
        assert_eq!(ordered, ["db", "api", "web"]);
        let cyclic = parse("services:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n").unwrap();
        assert!(order(&cyclic).is_err());
        assert_eq!(project_name("My App"), "myapp");
    }
}
