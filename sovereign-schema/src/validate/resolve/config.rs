//! The configuration blocks: the datasource (provider, URLs, schemas, relation mode) and the
//! generators (preview features), read before anything that depends on them.

use crate::ast::{Block, BlockKind, Expr, ExprKind};
use crate::diagnostic::Code;
use crate::model::{Datasource, Generator, Provider, RelationMode, Url};
use crate::source::Span;
use crate::validate::common::{provider_list, string_array, suggest};
use crate::validate::db::{Config, ValidateOptions};
use crate::validate::sink::Sink;
use std::collections::{HashMap, HashSet};

/// Reads the datasource and the generators.
pub(super) fn resolve(
    blocks: &[&Block],
    options: ValidateOptions,
    sink: &mut Sink,
) -> (Config, Option<Datasource>, Vec<Generator>) {
    let mut config = Config {
        provider: Provider::Postgresql,
        ds_provider: None,
        ds_name: "db".to_string(),
        ds_schemas: None,
        relation_mode: RelationMode::ForeignKeys,
        preview: HashSet::new(),
        extensions_read: false,
    };
    let datasource = datasource(blocks, options, &mut config, sink);
    let generators = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Generator)
        .filter_map(|b| generator(b, &mut config, sink))
        .collect();
    (config, datasource, generators)
}

fn datasource(
    blocks: &[&Block],
    options: ValidateOptions,
    config: &mut Config,
    sink: &mut Sink,
) -> Option<Datasource> {
    let sources: Vec<&&Block> = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Datasource)
        .collect();
    if sources.len() > 1 {
        for b in &sources {
            let msg = format!(
                "Error validating datasource `{}`: You defined more than one datasource. This is not allowed yet because support for multiple databases has not been implemented yet.",
                b.name.name
            );
            sink.err(
                Code::DatasourceMultiple,
                msg,
                b.keyword_span.to(b.name.span),
            )
            .hint = Some(
                "keep one datasource; a plugin that needs its own database is a dedicated plugin"
                    .into(),
            );
        }
    }
    let Some(b) = sources.first() else {
        if !options.partial {
            let span = blocks
                .first()
                .map(|b| Span::new(b.span.file, 0, 0))
                .unwrap_or_default();
            sink.err(
                Code::DatasourceMissing,
                "You defined no datasource. You must define exactly one datasource.",
                span,
            )
            .hint = Some(
                "add a block such as `datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}`".into(),
            );
        }
        return None;
    };
    config.ds_name = b.name.name.clone();
    let header = b.keyword_span.to(b.name.span);
    let provider = provider(b, header, sink);
    if let Some(p) = provider {
        config.provider = p;
        config.ds_provider = Some(p);
    }
    let url = match last(b, "url") {
        None => {
            let msg = format!(
                "Argument \"url\" is missing in data source block \"{}\".",
                b.name.name
            );
            sink.err(Code::DatasourceUrlMissing, msg, header).hint =
                Some("add `url = env(\"DATABASE_URL\")` or a literal connection string".into());
            None
        }
        Some(p) => read_url(&p.value, "url", sink),
    };
    let direct_url = b
        .properties()
        .filter(|p| p.name.name == "directUrl")
        .last()
        .and_then(|p| read_url(&p.value, "directUrl", sink));
    let shadow_database_url = b
        .properties()
        .filter(|p| p.name.name == "shadowDatabaseUrl")
        .last()
        .and_then(|p| read_url(&p.value, "shadowDatabaseUrl", sink));
    url_conflicts(b, [&url, &direct_url, &shadow_database_url], sink);
    let mut schemas = Vec::new();
    if let Some(p) = last(b, "schemas") {
        // A single string is a list of one, as Prisma reads it.
        let mut ok = true;
        for item in p.value.as_list() {
            match item.as_str() {
                Some(s) => schemas.push(s.to_string()),
                None => {
                    ok = false;
                    let msg = format!(
                        "Expected a string value, but received {}.",
                        crate::validate::common::received(item)
                    );
                    sink.err(Code::DatasourceSchemasInvalid, msg, item.span)
                        .hint = Some(
                        "write the schemas' names as strings: `schemas = [\"public\"]`".into(),
                    );
                }
            }
        }
        if ok && schemas.is_empty() {
            sink.err(
                Code::DatasourceSchemasInvalid,
                "If provided, the schemas array can not be empty.",
                p.span,
            )
            .hint = Some("list the schemas, or remove the property".into());
        }
        for (i, s) in schemas.iter().enumerate() {
            if schemas[..i].contains(s) {
                sink.err(
                    Code::DatasourceSchemasInvalid,
                    "Duplicated schema names are not allowed",
                    p.span,
                )
                .hint = Some(format!("\"{s}\" is listed twice"));
            }
        }
        config.ds_schemas = Some(schemas.clone());
    }
    let mut relation_mode = relation_mode(b, sink);
    if config.provider == Provider::Mongodb {
        relation_mode = RelationMode::Prisma;
    }
    config.relation_mode = relation_mode;
    const KNOWN: &[&str] = &[
        "provider",
        "url",
        "directUrl",
        "shadowDatabaseUrl",
        "schemas",
        "relationMode",
        "referentialIntegrity",
        "extensions",
    ];
    duplicate_properties(b, sink);
    for p in b.properties() {
        if p.name.name == "previewFeatures" {
            sink.err(
                Code::DatasourcePreviewFeatures,
                "Preview features are only supported in the generator block. Please move this field to the generator block.",
                p.span,
            )
            .hint = Some("move `previewFeatures` into the `generator` block".into());
            continue;
        }
        // `extensions` is PostgreSQL's: Prisma does not know the property elsewhere.
        let elsewhere =
            p.name.name == "extensions" && provider.is_some_and(|x| x != Provider::Postgresql);
        if p.name.name == "extensions" && !elsewhere {
            config.extensions_read = extensions(&p.value, sink);
        }
        if !KNOWN.contains(&p.name.name.as_str()) || elsewhere {
            let msg = format!("Property not known: \"{}\".", p.name.name);
            sink.err(Code::PropertyUnknown, msg, p.name.span).hint =
                Some(format!("known properties: {}", KNOWN.join(", ")));
        }
    }
    let provider = provider?;
    Some(Datasource {
        name: b.name.name.clone(),
        provider,
        url: url?,
        direct_url,
        shadow_database_url,
        schemas,
        relation_mode,
        span: b.span,
    })
}

/// `extensions = [postgis, uuid_ossp(map: "uuid-ossp", schema: "extensions", version: "1.1")]`:
/// names (a single one needs no brackets), with the named string arguments `map`, `schema` and
/// `version`, each once. `false` when something does not read; an item that is not a name
/// makes Prisma refuse the list with that one error.
fn extensions(e: &Expr, sink: &mut Sink) -> bool {
    if let Some(item) = e
        .as_list()
        .iter()
        .find(|x| !matches!(x.kind, ExprKind::Const(_) | ExprKind::Call { .. }))
    {
        let msg = format!(
            "Expected a constant or function value, but received {}.",
            crate::validate::common::received(item)
        );
        sink.err(Code::ExtensionInvalid, msg, item.span).hint =
            Some("name the extension without quotes: `extensions = [postgis]`".into());
        return false;
    }
    let mut ok = true;
    for item in e.as_list() {
        let ExprKind::Call { args, .. } = &item.kind else {
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        for a in args {
            let Some(name) = a.name.as_ref().map(|n| n.name.as_str()) else {
                sink.err(
                    Code::ExtensionInvalid,
                    "Error validating: The argument must have a name",
                    a.span,
                )
                .hint =
                    Some("write `version: \"...\"`, `schema: \"...\"` or `map: \"...\"`".into());
                ok = false;
                continue;
            };
            if !matches!(name, "map" | "schema" | "version") {
                let msg = format!("Argument not known: \"{name}\".");
                sink.err(Code::ExtensionInvalid, msg, a.span).hint =
                    Some("an extension takes `map`, `schema` and `version`".into());
                ok = false;
                continue;
            }
            if seen.contains(&name) {
                let msg =
                    format!("Error validating: The argument `{name}` can only be defined once");
                sink.err(Code::ExtensionInvalid, msg, a.span);
                ok = false;
                continue;
            }
            seen.push(name);
            if a.value.as_str().is_none() {
                let msg = format!(
                    "Expected a string value, but received {}.",
                    crate::validate::common::received(&a.value)
                );
                sink.err(Code::ExtensionInvalid, msg, a.value.span);
                let msg =
                    format!("Error validating: The `{name}` argument must be a string literal");
                sink.err(Code::ExtensionInvalid, msg, a.value.span);
                ok = false;
            }
        }
    }
    ok
}

/// A property given twice counts with its last value, as Prisma reads it (the repetition is
/// reported).
fn last<'b>(b: &'b Block, name: &str) -> Option<&'b crate::ast::Property> {
    b.properties().filter(|p| p.name.name == name).last()
}

/// The datasource's `provider`: a string literal naming a known provider.
fn provider(b: &Block, header: Span, sink: &mut Sink) -> Option<Provider> {
    let Some(p) = last(b, "provider") else {
        let msg = format!(
            "Argument \"provider\" is missing in data source block \"{}\".",
            b.name.name
        );
        sink.err(Code::DatasourceProviderMissing, msg, header).hint = Some(format!(
            "add `provider = \"...\"` with one of: {}",
            provider_list()
        ));
        return None;
    };
    match p.value.as_str() {
        Some(s) => match Provider::parse(s) {
            Some(pr) => Some(pr),
            None => {
                let msg = format!("Datasource provider not known: \"{s}\".");
                sink.err(Code::DatasourceProviderUnknown, msg, p.value.span)
                    .hint = Some(format!("use one of: {}", provider_list()));
                None
            }
        },
        None => {
            let msg = if matches!(&p.value.kind, ExprKind::Call { name, .. } if name == "env") {
                "A datasource must not use the env() function in the provider argument.".to_string()
            } else {
                format!(
                    "Error validating datasource `{}`: The provider argument in a datasource must be a string literal",
                    b.name.name
                )
            };
            sink.err(Code::DatasourceProviderNotLiteral, msg, p.value.span)
                .hint = Some(format!(
                "write the provider itself, one of: {}",
                provider_list()
            ));
            None
        }
    }
}

/// `relationMode`, or `referentialIntegrity`, its name before Prisma 4.5.
fn relation_mode(b: &Block, sink: &mut Sink) -> RelationMode {
    let mut relation_mode = RelationMode::ForeignKeys;
    let legacy = last(b, "referentialIntegrity");
    if let Some(p) = legacy {
        // Together with `relationMode`, Prisma has the error only.
        if last(b, "relationMode").is_none() {
            sink.warn(
                Code::ReferentialIntegrityDeprecated,
                "The `referentialIntegrity` attribute is deprecated. Please use `relationMode` instead. Learn more at https://pris.ly/d/relation-mode",
                p.name.span,
            )
            .hint = Some("rename the property to `relationMode`".into());
        }
        if last(b, "relationMode").is_some() {
            sink.err(
                Code::ReferentialIntegrityAndRelationMode,
                "The `referentialIntegrity` and `relationMode` attributes cannot be used together. Please use only `relationMode` instead.",
                p.span,
            )
            .hint = Some("remove `referentialIntegrity`".into());
        }
    }
    if let Some(p) = last(b, "relationMode").or(legacy) {
        match p.value.as_str() {
            Some("prisma") => relation_mode = RelationMode::Prisma,
            Some("foreignKeys") => {}
            other => {
                let written = other.map_or_else(|| p.value.render(), str::to_string);
                let msg = format!(
                    "Error validating datasource `relationMode`: Invalid relation mode setting: \"{written}\". Supported values: \"prisma\", \"foreignKeys\""
                );
                sink.err(Code::RelationModeInvalid, msg, p.value.span).hint = Some(
                    "write `relationMode = \"prisma\"` or `relationMode = \"foreignKeys\"`".into(),
                );
            }
        }
    }
    relation_mode
}

fn duplicate_properties(b: &Block, sink: &mut Sink) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for p in b.properties() {
        if let Some(prev) = seen.insert(p.name.name.as_str(), p.name.span) {
            // Prisma calls a datasource a "source" here.
            let kind = match b.kind {
                BlockKind::Datasource => "source",
                k => k.keyword(),
            };
            let msg = format!(
                "Key \"{}\" is already defined in {kind} \"{}\".",
                p.name.name, b.name.name
            );
            sink.err(Code::DuplicateProperty, msg, p.name.span)
                .notes
                .push((prev, "first defined here".into()));
        }
    }
}

/// The shadow database is reset by migrations: it may not be the database of `url` or
/// `directUrl` (the same string, or the same environment variable). A `directUrl` may not be
/// empty.
fn url_conflicts(b: &Block, [url, direct, shadow]: [&Option<Url>; 3], sink: &mut Sink) {
    let span = |name: &str| last(b, name).map_or(b.span, |p| p.span);
    if let Some(Url::Literal(s)) = direct {
        if s.is_empty() {
            let msg = format!(
                "Error validating datasource `{}`: You must provide a nonempty direct URL",
                b.name.name
            );
            sink.err(Code::DirectUrlEmpty, msg, span("directUrl"));
        }
    }
    let Some(shadow) = shadow else { return };
    for (other, name) in [(url, "url"), (direct, "directUrl")] {
        if other.as_ref() == Some(shadow) {
            let msg = format!(
                "shadowDatabaseUrl is the same as {name} for datasource \"{}\". Please specify a different database as shadow database to avoid data loss.",
                b.name.name
            );
            sink.err(Code::DatasourceUrlConflict, msg, span(name)).hint = Some(
                "give the shadow database a database of its own: `migrate dev` resets it".into(),
            );
            return;
        }
    }
}

fn read_url(e: &Expr, what: &str, sink: &mut Sink) -> Option<Url> {
    match &e.kind {
        ExprKind::Str { value, .. } => Some(Url::Literal(value.clone())),
        ExprKind::Call { name, args } if name == "env" => {
            match args.first().and_then(|a| a.value.as_str()) {
                Some(var) if args.len() == 1 => {
                    if args[0].name.is_some() {
                        sink.warn(
                            Code::EnvNamedArgument,
                            "The env function doesn't expect named arguments",
                            args[0].span,
                        )
                        .hint = Some(format!("write `env(\"{var}\")`"));
                    }
                    Some(Url::Env(var.to_string()))
                }
                _ => {
                    sink.err(
                        Code::UrlInvalid,
                        "Exactly one string parameter must be passed to the env function.",
                        e.span,
                    )
                    .hint = Some("write `env(\"DATABASE_URL\")`".into());
                    None
                }
            }
        }
        _ => {
            let msg = format!(
                "Expected a String value, but received {}.",
                crate::validate::common::received(e)
            );
            sink.err(Code::UrlInvalid, msg, e.span).hint =
                Some(format!("write `{what} = env(\"VARIABLE\")` or a string"));
            None
        }
    }
}

fn generator(b: &Block, config: &mut Config, sink: &mut Sink) -> Option<Generator> {
    let mut provider = None;
    let mut output = None;
    let mut preview_features = Vec::new();
    let mut generator_config = Vec::new();
    duplicate_properties(b, sink);
    for p in b.properties() {
        match p.name.name.as_str() {
            "provider" => match &p.value.kind {
                ExprKind::Str { value, .. } => provider = Some(value.clone()),
                ExprKind::Call { name, args } if name == "env" => {
                    provider = args
                        .first()
                        .and_then(|a| a.value.as_str())
                        .map(|v| format!("env:{v}"))
                }
                _ => {
                    sink.err(
                        Code::GeneratorProviderInvalid,
                        "The generator `provider` must be a string.",
                        p.value.span,
                    );
                }
            },
            "output" => output = p.value.as_str().map(str::to_string),
            "previewFeatures" => match string_array(&p.value) {
                Some(list) => {
                    preview(p.value.as_list(), config, sink);
                    preview_features = list
                }
                None => {
                    sink.err(
                        Code::PreviewFeaturesInvalid,
                        "`previewFeatures` must be a list of strings, e.g. [\"views\"].",
                        p.value.span,
                    );
                }
            },
            other => {
                if let Some(s) = p.value.as_str() {
                    generator_config.push((other.to_string(), s.to_string()));
                }
            }
        }
    }
    if provider.is_none() {
        let msg = format!(
            "Argument \"provider\" is missing in generator block \"{}\".",
            b.name.name
        );
        sink.err(
            Code::GeneratorProviderMissing,
            msg,
            b.keyword_span.to(b.name.span),
        )
        .hint = Some("add `provider = \"sovereign\"` (or the generator your tools expect)".into());
    }
    Some(Generator {
        name: b.name.name.clone(),
        provider: provider?,
        output,
        preview_features,
        config: generator_config,
        span: b.span,
    })
}

/// Prisma 6.19's preview features (`psl-core`'s `preview_features.rs`, checked against the
/// CLI): names are matched ignoring case; valid ones pass, deprecated (promoted or retired)
/// ones warn in Prisma's words, renamed ones say the new name, and others are errors that list
/// the valid names.
fn preview(items: &[Expr], config: &mut Config, sink: &mut Sink) {
    /// Valid and listed in Prisma's error message.
    const ACTIVE: &[&str] = &[
        "metrics",
        "nativeDistinct",
        "postgresqlExtensions",
        "relationJoins",
        "schemaEngineDriverAdapters",
        "shardKeys",
        "strictUndefinedChecks",
        "views",
    ];
    /// Valid on PostgreSQL only (listed first when the provider is PostgreSQL).
    const POSTGRES_ONLY: &[&str] = &["fullTextSearchPostgres"];
    /// Valid but never listed.
    const HIDDEN: &[&str] = &["reactNative", "typedSql"];
    /// Accepted with a warning: promoted to general availability, or retired.
    const DEPRECATED: &[&str] = &[
        "aggregateApi",
        "atomicNumberOperations",
        "clientExtensions",
        "cockroachdb",
        "connectOrCreate",
        "createMany",
        "dataProxy",
        "deno",
        "distinct",
        "driverAdapters",
        "extendedIndexes",
        "extendedWhereUnique",
        "fieldReference",
        "filterJson",
        "filteredRelationCount",
        "fullTextIndex",
        "fullTextSearch",
        "groupBy",
        "improvedQueryRaw",
        "interactiveTransactions",
        "jsonProtocol",
        "metrics",
        "microsoftSqlServer",
        "middlewares",
        "mongoDb",
        "multiSchema",
        "nApi",
        "namedConstraints",
        "nativeTypes",
        "omitApi",
        "orderByAggregateGroup",
        "orderByNulls",
        "orderByRelation",
        "prismaSchemaFolder",
        "queryCompiler",
        "referentialActions",
        "referentialIntegrity",
        "selectRelationCount",
        "tracing",
        "transactionApi",
        "uncheckedScalarInputs",
    ];
    let find = |list: &[&'static str], name: &str| {
        list.iter().copied().find(|f| f.eq_ignore_ascii_case(name))
    };
    let postgres = config.ds_provider == Some(Provider::Postgresql);
    for item in items {
        let Some(name) = item.as_str() else { continue };
        if postgres && name.eq_ignore_ascii_case("fullTextSearch") {
            config.preview.insert("fulltextsearchpostgres".into());
            sink.warn(
                Code::PreviewFeatureRenamed,
                format!("On `provider = \"postgresql\"`, preview feature \"{name}\" has been renamed to \"fullTextSearchPostgres\". Learn more at https://pris.ly/d/fts-postgres."),
                item.span,
            );
            continue;
        }
        if let Some(f) = find(DEPRECATED, name) {
            config.preview.insert(f.to_ascii_lowercase());
            let rest = if f == "metrics" {
                "It will be removed in a future version of Prisma."
            } else {
                "The functionality can be used without specifying it as a preview feature."
            };
            sink.warn(
                Code::PreviewFeatureDeprecated,
                format!("Preview feature \"{name}\" is deprecated. {rest}"),
                item.span,
            );
            continue;
        }
        let valid = find(ACTIVE, name)
            .or_else(|| find(HIDDEN, name))
            .or_else(|| find(POSTGRES_ONLY, name).filter(|_| postgres));
        if let Some(f) = valid {
            config.preview.insert(f.to_ascii_lowercase());
            continue;
        }
        let mut expected: Vec<&str> = ACTIVE.to_vec();
        if postgres {
            expected.extend(POSTGRES_ONLY);
        }
        expected.sort_unstable();
        let msg = format!(
            "The preview feature \"{name}\" is not known. Expected one of: {}",
            expected.join(", ")
        );
        let hint = suggest(name, &expected)
            .map(|s| format!("did you mean \"{s}\"?"))
            .unwrap_or_else(|| "remove it from `previewFeatures`".into());
        sink.err(Code::PreviewFeatureUnknown, msg, item.span).hint = Some(hint);
    }
}
