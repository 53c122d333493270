//! Validation: reads one or more parsed files as one schema, applies Prisma's rules, and builds
//! the resolved [`Schema`]. Messages follow Prisma's wording where users search for them.

use crate::ast::{self, Arity, Attribute, Block, BlockKind, Expr, ExprKind, SchemaAst};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::native;
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// How to read the files.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions {
    /// A partial schema (a plugin's `extension.prisma`): no datasource is required, and types
    /// that name no block of these files are taken as models defined elsewhere.
    pub partial: bool,
}

/// The outcome of validation: the resolved schema when there were no errors, and every
/// diagnostic (errors and warnings) in source order.
#[derive(Debug, Clone)]
pub struct Validated {
    pub schema: Option<Schema>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Validated {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates the files as one schema.
pub fn validate(files: &[SchemaAst], options: ValidateOptions) -> Validated {
    let mut v = Validator {
        diags: Vec::new(),
        options,
        provider: Provider::Postgresql,
        ds_provider: None,
        ds_name: "db".to_string(),
        ds_schemas: None,
        relation_mode: RelationMode::ForeignKeys,
        preview: HashSet::new(),
        tops: HashMap::new(),
    };
    let schema = v.run(files);
    let mut diagnostics = v.diags;
    crate::diagnostic::sort(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Validated {
        schema: if has_errors { None } else { Some(schema) },
        diagnostics,
    }
}

struct Validator<'a> {
    diags: Vec<Diagnostic>,
    options: ValidateOptions,
    provider: Provider,
    /// The datasource's provider, when the schema names one.
    ds_provider: Option<Provider>,
    ds_name: String,
    ds_schemas: Option<Vec<String>>,
    relation_mode: RelationMode,
    preview: HashSet<String>,
    tops: HashMap<&'a str, &'a Block>,
}

fn provider_display(p: Provider) -> &'static str {
    match p {
        Provider::Sqlite => "SQLite",
        Provider::Postgresql => "Postgres",
        Provider::Mysql => "MySQL",
        Provider::Sqlserver => "SQL Server",
        Provider::Cockroachdb => "CockroachDB",
        Provider::Mongodb => "MongoDB",
    }
}

fn kind_name(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Type => "composite type",
        k => k.keyword(),
    }
}

/// A relation field waiting to be paired with its other side.
struct PendingRelation<'a> {
    model: usize,
    field: &'a ast::Field,
    target: &'a str,
    arity: Arity,
    name: Option<String>,
    fields: Option<Vec<(String, Span)>>,
    references: Option<Vec<(String, Span)>>,
    on_delete: Option<(ReferentialAction, Span)>,
    on_update: Option<(ReferentialAction, Span)>,
    map: Option<String>,
    attr_span: Span,
    ignored: bool,
}

const SCALARS: &[&str] = &[
    "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
];

const FIELD_ATTRS: &[&str] = &[
    "id",
    "unique",
    "default",
    "map",
    "updatedAt",
    "ignore",
    "relation",
];
const BLOCK_ATTRS: &[&str] = &[
    "id", "unique", "index", "fulltext", "map", "ignore", "schema", "shardKey",
];

impl<'a> Validator<'a> {
    fn err(&mut self, msg: impl Into<String>, span: Span) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(msg, span));
        self.diags.last_mut().expect("just pushed")
    }

    fn attr_err(&mut self, attr: &Attribute, msg: impl AsRef<str>) -> &mut Diagnostic {
        let prefix = if attr.block { "@@" } else { "@" };
        let m = format!(
            "Error parsing attribute \"{prefix}{}\": {}",
            attr.name.name,
            msg.as_ref()
        );
        self.err(m, attr.span)
    }

    fn run(&mut self, files: &'a [SchemaAst]) -> Schema {
        let blocks: Vec<&'a Block> = files.iter().flat_map(|f| f.blocks()).collect();

        // Names: models, views, enums and types share one namespace; so do the config blocks.
        let mut configs: HashMap<&'a str, &'a Block> = HashMap::new();
        for &b in &blocks {
            let map = if b.kind.is_config() {
                &mut configs
            } else {
                &mut self.tops
            };
            if let Some(prev) = map.get(b.name.name.as_str()).copied() {
                let msg = format!(
                    "The {} \"{}\" cannot be defined because a {} with that name already exists.",
                    kind_name(b.kind),
                    b.name.name,
                    kind_name(prev.kind)
                );
                self.err(msg, b.name.span)
                    .notes
                    .push((prev.name.span, "first defined here".into()));
                continue;
            }
            map.insert(b.name.name.as_str(), b);
            if matches!(b.kind, BlockKind::Model | BlockKind::View)
                && matches!(b.name.name.as_str(), "PrismaClient" | "Prisma")
            {
                let msg = format!(
                    "Error validating model \"{0}\": The model name `{0}` is invalid. It is a reserved name. Please change it. Read more at https://pris.ly/d/naming-models",
                    b.name.name
                );
                self.err(msg, b.name.span);
            }
            if !b.kind.is_config() && ScalarType::builtin(&b.name.name).is_some()
                || b.name.name == "Unsupported"
            {
                let msg = format!(
                    "The {} name \"{}\" is invalid. It is a reserved name. Please change it.",
                    kind_name(b.kind),
                    b.name.name
                );
                self.err(msg, b.name.span);
            }
        }

        self.check_hyphens(&blocks);
        let datasource = self.datasource(&blocks);
        let generators: Vec<Generator> = blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Generator)
            .filter_map(|b| self.generator(b))
            .collect();
        if let Some(ext) = blocks
            .iter()
            .find(|b| b.kind == BlockKind::Datasource)
            .and_then(|b| b.property("extensions"))
        {
            if !self.has_preview("postgresqlExtensions") && !self.options.partial {
                self.err(
                    "The `extensions` property is only available with the `postgresqlExtensions` preview feature.",
                    ext.span,
                )
                .hint = Some("add `previewFeatures = [\"postgresqlExtensions\"]` to the generator block".into());
            }
        }

        let enums: Vec<Enum> = blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Enum)
            .map(|b| self.enum_(b))
            .collect();

        let mut composite_types = Vec::new();
        for b in blocks.iter().filter(|b| b.kind == BlockKind::Type) {
            if !self.provider.supports_composite_types() && !self.options.partial {
                let msg = format!(
                    "Error validating: Composite types are not supported on {}.",
                    provider_display(self.provider)
                );
                self.err(msg, b.keyword_span.to(b.name.span));
            }
            let mut fields = Vec::new();
            let mut seen = HashMap::new();
            for f in b.fields() {
                self.check_duplicate_field(&mut seen, f, b);
                if let Some(sf) = self.scalar_field(f, b, true) {
                    fields.push(sf);
                }
            }
            composite_types.push(CompositeType {
                name: b.name.name.clone(),
                fields,
                span: b.span,
            });
        }
        self.check_composite_cycles(&composite_types);

        let model_blocks: Vec<&'a Block> = blocks
            .iter()
            .copied()
            .filter(|b| matches!(b.kind, BlockKind::Model | BlockKind::View))
            .collect();
        let mut models = Vec::with_capacity(model_blocks.len());
        let mut pending = Vec::new();
        for (i, b) in model_blocks.iter().enumerate() {
            if b.kind == BlockKind::View && !self.has_preview("views") && !self.options.partial {
                self.err(
                    "Error validating: View definitions are only available with the `views` preview feature.",
                    b.keyword_span.to(b.name.span),
                )
                .hint = Some("add `previewFeatures = [\"views\"]` to the generator block".into());
            }
            models.push(self.model(i, b, &mut pending));
        }
        self.check_table_names(&models);
        let relations = self.relations(&mut models, &model_blocks, pending);
        self.check_constraint_names(&models, &relations);
        self.check_relation_indexes(&models, &relations);
        self.check_enum_names(&enums);

        Schema::new(
            datasource,
            generators,
            models,
            enums,
            composite_types,
            relations,
        )
    }

    /// Prisma's grammar lets `-` into names, and its validation then refuses it in the names of
    /// models, views, enums, composite types, and of model, view and enum members (a composite
    /// type's fields may have one).
    fn check_hyphens(&mut self, blocks: &[&'a Block]) {
        for b in blocks {
            let (block_kind, member_kind) = match b.kind {
                BlockKind::Model => ("Model", Some("Field")),
                BlockKind::View => ("view", Some("field")),
                BlockKind::Enum => ("Enum", Some("Enum Value")),
                BlockKind::Type => ("Composite type", None),
                _ => continue,
            };
            let names = std::iter::once((block_kind, &b.name)).chain(
                member_kind
                    .into_iter()
                    .flat_map(|k| b.fields().map(move |f| (k, &f.name))),
            );
            let mut found = Vec::new();
            for (kind, name) in names {
                if name.name.contains('-') {
                    found.push((kind, name.span, name.name.replace('-', "_")));
                }
            }
            for (kind, span, fixed) in found {
                self.err(
                    format!("Error validating: The character `-` is not allowed in {kind} names."),
                    span,
                )
                .hint = Some(format!(
                    "use `{fixed}` (add `@map` / `@@map` with the old name to keep the database's)"
                ));
            }
        }
    }

    // ----- datasource and generators -------------------------------------------------------

    fn datasource(&mut self, blocks: &[&'a Block]) -> Option<Datasource> {
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
                self.err(msg, b.keyword_span.to(b.name.span)).hint = Some(
                    "keep one datasource; a plugin that needs its own database is a dedicated plugin".into(),
                );
            }
        }
        let Some(b) = sources.first() else {
            if !self.options.partial {
                let span = blocks
                    .first()
                    .map(|b| Span::new(b.span.file, 0, 0))
                    .unwrap_or_default();
                self.err("You defined no datasource. You must define exactly one datasource.", span)
                    .hint = Some(
                    "add a block such as `datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./dev.db\"\n}`".into(),
                );
            }
            return None;
        };
        self.ds_name = b.name.name.clone();
        let header = b.keyword_span.to(b.name.span);
        let provider = match b.property("provider") {
            None => {
                let msg = format!(
                    "Argument \"provider\" is missing in data source block \"{}\".",
                    b.name.name
                );
                self.err(msg, header).hint = Some(format!(
                    "add `provider = \"...\"` with one of: {}",
                    provider_list()
                ));
                None
            }
            Some(p) => match p.value.as_str() {
                Some(s) => match Provider::parse(s) {
                    Some(pr) => Some(pr),
                    None => {
                        let msg = format!("Datasource provider not known: \"{s}\".");
                        self.err(msg, p.value.span).hint =
                            Some(format!("use one of: {}", provider_list()));
                        None
                    }
                },
                None => {
                    let msg = if matches!(&p.value.kind, ExprKind::Call { name, .. } if name == "env")
                    {
                        "A datasource must not use the env() function in the provider argument."
                            .to_string()
                    } else {
                        format!(
                            "Error validating datasource `{}`: The provider argument in a datasource must be a string literal",
                            b.name.name
                        )
                    };
                    self.err(msg, p.value.span).hint = Some(format!(
                        "write the provider itself, one of: {}",
                        provider_list()
                    ));
                    None
                }
            },
        };
        if let Some(p) = provider {
            self.provider = p;
            self.ds_provider = Some(p);
        }
        let url = match b.property("url") {
            None => {
                let msg = format!(
                    "Argument \"url\" is missing in data source block \"{}\".",
                    b.name.name
                );
                self.err(msg, header).hint =
                    Some("add `url = env(\"DATABASE_URL\")` or a literal connection string".into());
                None
            }
            Some(p) => self.url(&p.value, "url"),
        };
        let direct_url = b
            .property("directUrl")
            .and_then(|p| self.url(&p.value, "directUrl"));
        let shadow_database_url = b
            .property("shadowDatabaseUrl")
            .and_then(|p| self.url(&p.value, "shadowDatabaseUrl"));
        let mut schemas = Vec::new();
        if let Some(p) = b.property("schemas") {
            if !matches!(
                self.provider,
                Provider::Postgresql | Provider::Cockroachdb | Provider::Sqlserver
            ) {
                self.err(
                    "The `schemas` property is not supported on the current connector.",
                    p.span,
                );
            }
            match string_array(&p.value) {
                Some(list) => schemas = list,
                None => {
                    self.err(
                        "`schemas` must be a list of strings, e.g. [\"public\"].",
                        p.value.span,
                    );
                }
            }
            self.ds_schemas = Some(schemas.clone());
        }
        let mut relation_mode = RelationMode::ForeignKeys;
        // `referentialIntegrity` is the name `relationMode` had before Prisma 4.5.
        let legacy = b.property("referentialIntegrity");
        if let Some(p) = legacy {
            self.diags.push(
                Diagnostic::warning(
                    "The `referentialIntegrity` attribute is deprecated. Please use `relationMode` instead. Learn more at https://pris.ly/d/relation-mode",
                    p.name.span,
                )
                .with_hint("rename the property to `relationMode`"),
            );
            if b.property("relationMode").is_some() {
                self.err(
                    "The `referentialIntegrity` and `relationMode` attributes cannot be used together. Please use only `relationMode` instead.",
                    p.span,
                )
                .hint = Some("remove `referentialIntegrity`".into());
            }
        }
        if let Some(p) = b.property("relationMode").or(legacy) {
            match p.value.as_str() {
                Some("prisma") => relation_mode = RelationMode::Prisma,
                Some("foreignKeys") => {}
                other => {
                    let written =
                        other.map_or_else(|| crate::format::render_expr(&p.value), str::to_string);
                    let msg = format!(
                        "Error validating datasource `relationMode`: Invalid relation mode setting: \"{written}\". Supported values: \"prisma\", \"foreignKeys\""
                    );
                    self.err(msg, p.value.span).hint = Some(
                        "write `relationMode = \"prisma\"` or `relationMode = \"foreignKeys\"`"
                            .into(),
                    );
                }
            }
        }
        if self.provider == Provider::Mongodb {
            relation_mode = RelationMode::Prisma;
        }
        self.relation_mode = relation_mode;
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
        self.check_duplicate_properties(b);
        for p in b.properties() {
            if p.name.name == "previewFeatures" {
                self.err(
                    "Preview features are only supported in the generator block. Please move this field to the generator block.",
                    p.span,
                )
                .hint = Some("move `previewFeatures` into the `generator` block".into());
                continue;
            }
            if !KNOWN.contains(&p.name.name.as_str()) {
                let msg = format!("Property not known: \"{}\".", p.name.name);
                self.err(msg, p.name.span).hint =
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

    /// A required composite field that leads back to its own type can never be written.
    fn check_composite_cycles(&mut self, types: &[CompositeType]) {
        let required = |t: &CompositeType| -> Vec<(String, String, Span)> {
            t.fields
                .iter()
                .filter(|f| f.arity == Arity::Required)
                .filter_map(|f| match &f.ty {
                    ScalarType::Composite(n) => Some((f.name.clone(), n.clone(), f.span)),
                    _ => None,
                })
                .collect()
        };
        for t in types {
            for (field, target, span) in required(t) {
                if target == t.name {
                    let msg = format!(
                        "Error validating field `{field}` in composite type `{}`: The type is the same as the parent and causes an endless cycle. Please change the field to be either optional or a list.",
                        t.name
                    );
                    self.err(msg, span);
                    continue;
                }
                // Follow required composite fields from the target; a path back is a cycle.
                let mut path = vec![t.name.clone(), target.clone()];
                let mut current = target;
                let mut seen = std::collections::HashSet::new();
                while let Some(next) = types.iter().find(|x| x.name == current) {
                    if !seen.insert(current.clone()) {
                        break;
                    }
                    let Some((_, n, _)) = required(next).into_iter().next() else {
                        break;
                    };
                    path.push(n.clone());
                    if n == t.name {
                        let msg = format!(
                            "Error validating field `{field}` in composite type `{}`: The types cause an endless cycle in the path {}. Please change one of the fields to be either optional or a list to break the cycle.",
                            t.name,
                            path.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(" → ")
                        );
                        self.err(msg, span);
                        break;
                    }
                    current = n;
                }
            }
        }
    }

    /// Prisma 6.19's preview features (`psl-core`'s `preview_features.rs`, checked against
    /// the CLI): names are matched ignoring case; valid ones pass, deprecated (promoted or
    /// retired) ones warn in Prisma's words, renamed ones say the new name, and others are
    /// errors that list the valid names.
    fn check_preview_features(&mut self, items: &[Expr], provider: Option<Provider>) {
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
        let postgres = provider == Some(Provider::Postgresql);
        for item in items {
            let Some(name) = item.as_str() else { continue };
            if postgres && name.eq_ignore_ascii_case("fullTextSearch") {
                self.preview.insert("fulltextsearchpostgres".into());
                self.diags.push(Diagnostic::warning(
                    format!("On `provider = \"postgresql\"`, preview feature \"{name}\" has been renamed to \"fullTextSearchPostgres\". Learn more at https://pris.ly/d/fts-postgres."),
                    item.span,
                ));
                continue;
            }
            if let Some(f) = find(DEPRECATED, name) {
                self.preview.insert(f.to_ascii_lowercase());
                let rest = if f == "metrics" {
                    "It will be removed in a future version of Prisma."
                } else {
                    "The functionality can be used without specifying it as a preview feature."
                };
                self.diags.push(Diagnostic::warning(
                    format!("Preview feature \"{name}\" is deprecated. {rest}"),
                    item.span,
                ));
                continue;
            }
            let valid = find(ACTIVE, name)
                .or_else(|| find(HIDDEN, name))
                .or_else(|| find(POSTGRES_ONLY, name).filter(|_| postgres));
            if let Some(f) = valid {
                self.preview.insert(f.to_ascii_lowercase());
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
            self.err(msg, item.span).hint = Some(hint);
        }
    }

    /// Whether a preview feature is enabled (Prisma matches their names ignoring case).
    fn has_preview(&self, feature: &str) -> bool {
        self.preview.contains(&feature.to_ascii_lowercase())
    }

    fn check_duplicate_properties(&mut self, b: &Block) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in b.properties() {
            if let Some(prev) = seen.insert(p.name.name.as_str(), p.name.span) {
                let msg = format!(
                    "Key \"{}\" is already defined in {} \"{}\".",
                    p.name.name,
                    b.kind.keyword(),
                    b.name.name
                );
                self.err(msg, p.name.span)
                    .notes
                    .push((prev, "first defined here".into()));
            }
        }
    }

    fn url(&mut self, e: &Expr, what: &str) -> Option<Url> {
        match &e.kind {
            ExprKind::Str { value, .. } => Some(Url::Literal(value.clone())),
            ExprKind::Call { name, args } if name == "env" => {
                match args.first().and_then(|a| a.value.as_str()) {
                    Some(var) if args.len() == 1 => Some(Url::Env(var.to_string())),
                    _ => {
                        self.err(
                            "`env()` takes one string: the name of an environment variable, e.g. env(\"DATABASE_URL\").",
                            e.span,
                        );
                        None
                    }
                }
            }
            _ => {
                let msg = format!(
                    "`{what}` must be a string or `env(\"VARIABLE\")`, found {}.",
                    e.describe()
                );
                self.err(msg, e.span);
                None
            }
        }
    }

    fn generator(&mut self, b: &'a Block) -> Option<Generator> {
        let mut provider = None;
        let mut output = None;
        let mut preview_features = Vec::new();
        let mut config = Vec::new();
        self.check_duplicate_properties(b);
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
                        self.err("The generator `provider` must be a string.", p.value.span);
                    }
                },
                "output" => output = p.value.as_str().map(str::to_string),
                "previewFeatures" => match string_array(&p.value) {
                    Some(list) => {
                        self.check_preview_features(p.value.as_list(), self.ds_provider);
                        preview_features = list
                    }
                    None => {
                        self.err(
                            "`previewFeatures` must be a list of strings, e.g. [\"views\"].",
                            p.value.span,
                        );
                    }
                },
                other => {
                    if let Some(s) = p.value.as_str() {
                        config.push((other.to_string(), s.to_string()));
                    }
                }
            }
        }
        if provider.is_none() {
            let msg = format!(
                "Argument \"provider\" is missing in generator block \"{}\".",
                b.name.name
            );
            self.err(msg, b.keyword_span.to(b.name.span)).hint =
                Some("add `provider = \"sovereign\"` (or the generator your tools expect)".into());
        }
        Some(Generator {
            name: b.name.name.clone(),
            provider: provider?,
            output,
            preview_features,
            config,
            span: b.span,
        })
    }

    // ----- enums ------------------------------------------------------------------------------

    fn enum_(&mut self, b: &'a Block) -> Enum {
        if !self.provider.supports_enums() && !self.options.partial {
            let msg = format!(
                "Error validating: You defined the enum `{}`. But the current connector does not support enums.",
                b.name.name
            );
            self.err(msg, b.name.span);
        }
        let mut values = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in b.fields() {
            if let Some(prev) = seen.insert(f.name.name.as_str(), f.name.span) {
                let msg = format!(
                    "Value \"{}\" is already defined on enum \"{}\".",
                    f.name.name, b.name.name
                );
                self.err(msg, f.name.span)
                    .notes
                    .push((prev, "first defined here".into()));
            }
            let mut db_name = f.name.name.clone();
            self.check_duplicate_attrs(&f.attributes, false);
            for a in &f.attributes {
                match a.name.name.as_str() {
                    "map" => {
                        if let Some(s) = self.string_arg(a) {
                            db_name = s;
                        }
                    }
                    _ => {
                        let msg = format!("Attribute not known: \"@{}\".", a.name.name);
                        self.err(msg, a.span).hint =
                            Some("enum values accept only `@map(\"name\")`".into());
                    }
                }
            }
            values.push(EnumValue {
                name: f.name.name.clone(),
                db_name,
                docs: docs(&f.docs),
            });
        }
        if values.is_empty() {
            self.err(
                "Error validating: An enum must have at least one value.",
                b.keyword_span.to(b.name.span),
            );
        }
        let mut db_name = b.name.name.clone();
        let mut schema = None;
        self.check_duplicate_attrs(b.attributes(), true);
        for a in b.attributes() {
            match a.name.name.as_str() {
                "map" => {
                    if let Some(s) = self.string_arg(a) {
                        db_name = s;
                    }
                }
                "schema" => schema = self.schema_attr(a),
                _ => {
                    let msg = format!("Attribute not known: \"@@{}\".", a.name.name);
                    self.err(msg, a.span).hint =
                        Some("enums accept `@@map(\"name\")` and `@@schema(\"name\")`".into());
                }
            }
        }
        if schema.is_none()
            && b.attribute("schema").is_none()
            && self.ds_schemas.is_some()
            && !self.options.partial
        {
            self.err("This enum is missing an `@@schema` attribute.", b.name.span);
        }
        Enum {
            name: b.name.name.clone(),
            db_name,
            values,
            schema,
            docs: docs(&b.docs),
            span: b.span,
        }
    }

    fn schema_attr(&mut self, a: &Attribute) -> Option<String> {
        // `@@schema("auth")`, or with its argument named as Prisma names it: `map:`.
        let s = match a.arg("map", Some(0)).map(|x| &x.value) {
            Some(v) => match v.as_str() {
                Some(s) => s.to_string(),
                None => {
                    let msg = format!("Expected a string value, but received {}.", v.describe());
                    self.attr_err(a, msg);
                    return None;
                }
            },
            None => {
                self.attr_err(a, "Argument \"map\" is missing.").hint =
                    Some("write `@@schema(\"name\")`".into());
                return None;
            }
        };
        match &self.ds_schemas {
            Some(list) if list.contains(&s) => {}
            _ if self.options.partial => {}
            _ => {
                self.err(
                    "This schema is not defined in the datasource. Read more on `@@schema` at https://pris.ly/d/multi-schemas",
                    a.span,
                )
                .hint = Some(format!("add \"{s}\" to `schemas` in the datasource block"));
            }
        }
        Some(s)
    }

    // ----- models -----------------------------------------------------------------------------

    fn check_duplicate_field(
        &mut self,
        seen: &mut HashMap<&'a str, Span>,
        f: &'a ast::Field,
        b: &Block,
    ) {
        if let Some(prev) = seen.insert(f.name.name.as_str(), f.name.span) {
            let msg = format!(
                "Field \"{}\" is already defined on {} \"{}\".",
                f.name.name,
                kind_name(b.kind),
                b.name.name
            );
            self.err(msg, f.name.span)
                .notes
                .push((prev, "first defined here".into()));
        }
    }

    fn check_duplicate_attrs<'x>(
        &mut self,
        attrs: impl IntoIterator<Item = &'x Attribute>,
        block: bool,
    ) {
        // A handful of attributes per field: a list beats a hash map here.
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for a in attrs {
            let repeatable =
                block && matches!(a.name.name.as_str(), "unique" | "index" | "fulltext");
            let native = a
                .name
                .name
                .strip_prefix(self.ds_name.as_str())
                .is_some_and(|rest| rest.starts_with('.'));
            let key = if native { "db.*" } else { a.name.name.as_str() };
            if repeatable {
                continue;
            }
            let prev = seen.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
            seen.push((key, a.span));
            if let Some(prev) = prev {
                let msg = format!("Attribute \"@{}\" can only be defined once.", a.name.name);
                self.err(msg, a.span)
                    .notes
                    .push((prev, "first defined here".into()));
            }
        }
    }

    fn model(
        &mut self,
        index: usize,
        b: &'a Block,
        pending: &mut Vec<PendingRelation<'a>>,
    ) -> Model {
        let mut fields = Vec::new();
        let mut relation_fields = Vec::new();
        let mut seen = HashMap::new();
        let mut primary_key = None;
        let mut uniques = Vec::new();
        let mut id_spans = Vec::new();

        let mut db_name = b.name.name.clone();
        let mut ignored = false;
        let mut schema = None;
        for a in b.attributes() {
            match a.name.name.as_str() {
                "map" => {
                    if let Some(s) = self.string_arg(a) {
                        db_name = s;
                    }
                }
                "ignore" => ignored = true,
                "schema" => schema = self.schema_attr(a),
                _ => {}
            }
        }
        if schema.is_none()
            && b.attribute("schema").is_none()
            && self.ds_schemas.is_some()
            && !self.options.partial
        {
            self.err(
                "This model is missing an `@@schema` attribute.",
                b.name.span,
            );
        }

        for f in b.fields() {
            self.check_duplicate_field(&mut seen, f, b);
            let Some(ty) = &f.ty else { continue };
            let target = ty.name.name.as_str();
            let is_model = ty.unsupported.is_none()
                && ScalarType::builtin(target).is_none()
                && match self.tops.get(target) {
                    Some(tb) => matches!(tb.kind, BlockKind::Model | BlockKind::View),
                    // In a partial schema an unknown type is a model of the platform, unless it
                    // is a near miss of a scalar (`Strng`), which is reported as a typo.
                    None => {
                        self.options.partial
                            && target.starts_with(|c: char| c.is_ascii_uppercase())
                            && suggest(target, SCALARS).is_none()
                    }
                };
            if is_model {
                if let Some(p) = self.relation_field(index, f, target) {
                    relation_fields.push(RelationField {
                        name: f.name.name.clone(),
                        target: target.to_string(),
                        arity: ty.arity,
                        relation: RelationId(usize::MAX),
                        ignored: p.ignored,
                        docs: docs(&f.docs),
                        span: f.span,
                    });
                    pending.push(p);
                }
                continue;
            }
            let Some(sf) = self.scalar_field(f, b, false) else {
                continue;
            };
            if let Some(a) = f.attribute("id") {
                id_spans.push(a.span);
                let (sort, length, map, clustered) = self.index_field_args(a);
                let _ = clustered;
                primary_key = Some(PrimaryKey {
                    name: None,
                    db_name: map.unwrap_or_else(|| {
                        default_constraint_name(&db_name, &[], "pkey", self.provider)
                    }),
                    fields: vec![IndexField {
                        name: sf.name.clone(),
                        db_name: sf.db_name.clone(),
                        sort,
                        length,
                    }],
                    compound: false,
                    span: a.span,
                });
            }
            if let Some(a) = f.attribute("unique") {
                let (sort, length, map, clustered) = self.index_field_args(a);
                uniques.push(Index {
                    kind: IndexKind::Unique,
                    name: None,
                    db_name: map.unwrap_or_else(|| {
                        default_constraint_name(&db_name, &[&sf.db_name], "key", self.provider)
                    }),
                    fields: vec![IndexField {
                        name: sf.name.clone(),
                        db_name: sf.db_name.clone(),
                        sort,
                        length,
                    }],
                    algorithm: None,
                    clustered,
                    single_field: true,
                    span: a.span,
                });
            }
            fields.push(sf);
        }

        // Block attributes.
        self.check_duplicate_attrs(b.attributes(), true);
        let mut indexes = Vec::new();
        for a in b.attributes() {
            match a.name.name.as_str() {
                "id" => {
                    id_spans.push(a.span);
                    if let Some(list) = self.field_list(a, &fields, b) {
                        let name = self.client_name(a, b);
                        let map = self.mapped_name(a);
                        let cols: Vec<&str> = list.iter().map(|f| f.db_name.as_str()).collect();
                        let _ = cols;
                        primary_key = Some(PrimaryKey {
                            name: Some(name.unwrap_or_else(|| join_names(&list))),
                            db_name: map.unwrap_or_else(|| {
                                default_constraint_name(&db_name, &[], "pkey", self.provider)
                            }),
                            fields: list,
                            compound: true,
                            span: a.span,
                        });
                    }
                }
                "unique" | "index" | "fulltext" => {
                    if a.name.name == "fulltext"
                        && !self.provider.supports_fulltext()
                        && !self.options.partial
                        && b.kind != BlockKind::View
                    {
                        self.attr_err(a, "Defining fulltext indexes is not supported with the current connector.");
                        continue;
                    }
                    let Some(list) = self.field_list(a, &fields, b) else {
                        continue;
                    };
                    let cols: Vec<&str> = list.iter().map(|f| f.db_name.as_str()).collect();
                    let (kind, suffix) = match a.name.name.as_str() {
                        "unique" => (IndexKind::Unique, "key"),
                        "index" => (IndexKind::Normal, "idx"),
                        _ => (IndexKind::Fulltext, "idx"),
                    };
                    let mut map = self.mapped_name(a);
                    let name = match kind {
                        IndexKind::Unique => {
                            Some(self.client_name(a, b).unwrap_or_else(|| join_names(&list)))
                        }
                        // Before Prisma 3 `name` was the index's database name; Prisma still
                        // reads it so (as an alias of `map`).
                        IndexKind::Normal => {
                            let legacy = self.non_empty_string_named(a, "name");
                            if legacy.is_some() && a.arg("map", None).is_some() {
                                self.err(
                                    "Error parsing attribute \"@index\": The `@@index` attribute accepts the `name` argument as an alias for the `map` argument for legacy reasons. It does not accept both though. Please use the `map` argument to specify the database name of the index.",
                                    a.span,
                                )
                                .hint = Some("keep only `map: \"...\"`".into());
                                map = None;
                            } else if legacy.is_some() {
                                map = legacy;
                            }
                            None
                        }
                        IndexKind::Fulltext => None,
                    };
                    let db = map.unwrap_or_else(|| {
                        default_constraint_name(&db_name, &cols, suffix, self.provider)
                    });
                    let algorithm = a
                        .arg("type", None)
                        .and_then(|x| x.value.as_const())
                        .map(str::to_string);
                    let clustered = a
                        .arg("clustered", None)
                        .and_then(|x| x.value.as_const())
                        .map(|c| c == "true");
                    let index = Index {
                        kind,
                        name,
                        db_name: db,
                        fields: list,
                        algorithm,
                        clustered,
                        single_field: false,
                        span: a.span,
                    };
                    if kind == IndexKind::Unique {
                        uniques.push(index);
                    } else {
                        indexes.push(index);
                    }
                }
                "map" | "ignore" | "schema" | "shardKey" => {}
                other => {
                    let msg = format!("Attribute not known: \"@@{other}\".");
                    let hint = suggest(other, BLOCK_ATTRS)
                        .map(|s| format!("did you mean `@@{s}`?"))
                        .unwrap_or_else(|| {
                            format!(
                                "known block attributes: {}",
                                BLOCK_ATTRS
                                    .iter()
                                    .map(|a| format!("@@{a}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        });
                    self.err(msg, a.span).hint = Some(hint);
                }
            }
        }

        if b.kind == BlockKind::View {
            self.check_view_attributes(b);
        }
        self.check_index_arguments(primary_key.as_ref(), &uniques, &indexes);
        self.check_autoincrement(b, &fields, primary_key.as_ref(), &uniques);
        if id_spans.len() > 1 {
            let msg = format!(
                "Error validating model \"{}\": Each model must have at most one id criteria. You can't have `@id` and `@@id` at the same time.",
                b.name.name
            );
            let mut d = Diagnostic::error(msg, id_spans[1]);
            d.notes.push((id_spans[0], "the other id".into()));
            self.diags.push(d);
        }

        if self.provider == Provider::Mongodb && !self.options.partial {
            if let Some(pk) = &primary_key {
                let mapped = pk.fields.len() == 1 && pk.fields[0].db_name == "_id";
                if !mapped {
                    let msg = format!(
                        "Error validating field `{}` in model `{}`: MongoDB model IDs must have an @map(\"_id\") annotation.",
                        pk.fields[0].name, b.name.name
                    );
                    self.err(msg, pk.span).hint = Some(
                        "write `id String @id @default(auto()) @map(\"_id\") @db.ObjectId`".into(),
                    );
                }
            }
        }
        let is_view = b.kind == BlockKind::View;
        if !is_view && !ignored && b.kind == BlockKind::Model {
            // A broken `@@id` is reported on its own; do not add a second error about it.
            let has_criterion = primary_key.is_some()
                || b.attribute("id").is_some()
                || uniques.iter().any(|u| {
                    u.fields.iter().all(|f| {
                        fields
                            .iter()
                            .any(|sf| sf.name == f.name && sf.is_required())
                    })
                });
            if !has_criterion {
                let msg = format!(
                    "Error validating model \"{}\": Each model must have at least one unique criteria that has only required fields. Either mark a single field with `@id`, `@unique` or add a multi field criterion with `@@id([])` or `@@unique([])` to the model.",
                    b.name.name
                );
                self.err(msg, b.keyword_span.to(b.name.span)).hint =
                    Some("add `id Int @id @default(autoincrement())`, for example".into());
            }
        }

        // Columns that collide once mapped.
        let mut columns: HashMap<&str, &ScalarField> = HashMap::new();
        let mut collisions = Vec::new();
        for f in &fields {
            if let Some(prev) = columns.insert(f.db_name.as_str(), f) {
                if prev.name == f.name {
                    continue; // a duplicate field, reported already
                }
                collisions.push((
                    f.span,
                    f.name.clone(),
                    f.db_name.clone(),
                    prev.name.clone(),
                    prev.span,
                ));
            }
        }
        for (span, name, col, prev, prev_span) in collisions {
            let msg = format!(
                "Field \"{name}\" is already defined on model \"{}\".",
                b.name.name
            );
            self.err(msg, span).notes.push((
                prev_span,
                format!(
                    "`{prev}` uses the column `{col}` too (names collide once mapped with @map)"
                ),
            ));
        }

        Model {
            name: b.name.name.clone(),
            db_name,
            db_name_span: b
                .attribute("map")
                .map_or(b.keyword_span.to(b.name.span), |a| a.span),
            is_view,
            ignored,
            schema,
            docs: docs(&b.docs),
            fields,
            relation_fields,
            primary_key,
            uniques,
            indexes,
            span: b.span,
        }
    }

    /// A view is a query, not a table: Prisma refuses primary keys and indexes on it, and its
    /// unique criteria (which tell the client what identifies a row) may not name a database
    /// constraint, be clustered, or take per-field arguments.
    fn check_view_attributes(&mut self, b: &Block) {
        const PRIMARY_KEY: &str = "Error validating: Views cannot have primary keys.";
        const MAPPED: &str = "Error validating: @@unique annotations on views are not backed by unique indexes in the database and cannot specify a mapped database name.";
        const CLUSTERED: &str = "Error validating: @@unique annotations on views are not backed by unique indexes in the database and cannot be clustered.";
        let unique_hint = "a view's unique criterion only tells the client what identifies a row: write `@unique` or `@@unique([a, b])` without arguments";
        for f in b.fields() {
            if let Some(a) = f.attribute("id") {
                self.err(PRIMARY_KEY, a.span).hint =
                    Some("use `@unique` to tell the client which field identifies a row".into());
            }
            if let Some(a) = f.attribute("unique") {
                if a.arg("map", None).is_some() {
                    self.err(MAPPED, a.span).hint = Some(unique_hint.into());
                } else if a.arg("clustered", None).is_some() {
                    self.err(CLUSTERED, a.span).hint = Some(unique_hint.into());
                } else if a.arg("sort", None).is_some() || a.arg("length", None).is_some() {
                    self.err(
                        "Error parsing attribute \"@unique\": Scalar fields in @@unique attributes in views cannot have arguments.",
                        a.span,
                    )
                    .hint = Some(unique_hint.into());
                }
            }
        }
        for a in b.attributes() {
            match a.name.name.as_str() {
                "id" => {
                    self.err(PRIMARY_KEY, a.span).hint = Some(
                        "use `@@unique([...])` to tell the client which fields identify a row"
                            .into(),
                    );
                }
                "index" | "fulltext" => {
                    self.err("Error validating: Views cannot have indexes.", a.span)
                        .hint = Some("create the index on the tables the view reads".into());
                }
                "unique" => {
                    let field_args = a.arg("fields", Some(0)).is_some_and(|x| {
                        x.value
                            .as_list()
                            .iter()
                            .any(|f| matches!(f.kind, ExprKind::Call { .. }))
                    });
                    if a.arg("map", None).is_some() {
                        self.err(MAPPED, a.span).hint = Some(unique_hint.into());
                    } else if a.arg("clustered", None).is_some() {
                        self.err(CLUSTERED, a.span).hint = Some(unique_hint.into());
                    } else if field_args {
                        self.err(
                            "Error parsing attribute \"@@unique\": Scalar fields in @@unique attributes in views cannot have arguments.",
                            a.span,
                        )
                        .hint = Some(unique_hint.into());
                    }
                }
                _ => {}
            }
        }
    }

    /// Per-field `sort:` and `length:` where the database has them: a primary key may be sorted
    /// on SQL Server only, and prefix lengths exist on MySQL only.
    fn check_index_arguments(
        &mut self,
        pk: Option<&PrimaryKey>,
        uniques: &[Index],
        indexes: &[Index],
    ) {
        if self.options.partial {
            return;
        }
        let sort_in_pk = self.provider == Provider::Sqlserver;
        let length = self.provider == Provider::Mysql;
        if let Some(pk) = pk {
            let label = if pk.compound { "@@id" } else { "@id" };
            for (arg, allowed, present) in [
                (
                    "sort",
                    sort_in_pk,
                    pk.fields.iter().any(|f| f.sort.is_some()),
                ),
                (
                    "length",
                    length,
                    pk.fields.iter().any(|f| f.length.is_some()),
                ),
            ] {
                if present && !allowed {
                    let msg = format!(
                        "Error parsing attribute \"{label}\": The {arg} argument is not supported in the primary key with the current connector"
                    );
                    self.err(msg, pk.span).hint = Some(format!(
                        "remove `{arg}:`; {} {}",
                        if arg == "sort" {
                            "only SQL Server sorts a primary key, not"
                        } else {
                            "only MySQL has prefix lengths, not"
                        },
                        provider_display(self.provider)
                    ));
                }
            }
        }
        if length {
            return;
        }
        for idx in uniques.iter().chain(indexes) {
            if idx.fields.iter().any(|f| f.length.is_some()) {
                let label = match (idx.kind, idx.single_field) {
                    (IndexKind::Unique, true) => "@unique",
                    (IndexKind::Unique, false) => "@@unique",
                    (IndexKind::Fulltext, _) => "@@fulltext",
                    (IndexKind::Normal, _) => "@@index",
                };
                let msg = format!(
                    "Error parsing attribute \"{label}\": The length argument is not supported in an index definition with the current connector"
                );
                self.err(msg, idx.span).hint = Some(format!(
                    "remove `length:`; only MySQL has prefix lengths, not {}",
                    provider_display(self.provider)
                ));
            }
        }
    }

    /// SQLite allows `autoincrement()` only on the id, MySQL only once per table and on an
    /// indexed column.
    fn check_autoincrement(
        &mut self,
        b: &Block,
        fields: &[ScalarField],
        pk: Option<&PrimaryKey>,
        uniques: &[Index],
    ) {
        if !matches!(self.provider, Provider::Sqlite | Provider::Mysql) || self.options.partial {
            return;
        }
        let auto: Vec<&ScalarField> = fields
            .iter()
            .filter(|f| {
                matches!(
                    f.default.as_ref().map(|d| &d.kind),
                    Some(DefaultKind::Autoincrement)
                )
            })
            .collect();
        let attr_span = |f: &ScalarField| {
            b.fields()
                .find(|x| x.name.name == f.name)
                .and_then(|x| x.attribute("default"))
                .map_or(f.span, |a| a.span)
        };
        if auto.len() > 1 {
            self.err(
                "Error parsing attribute \"@default\": The `autoincrement()` default value is used multiple times on this model even though the underlying datasource only supports one instance per table.",
                b.keyword_span.to(b.name.span),
            );
        }
        for f in auto {
            let is_id = pk.is_some_and(|p| p.fields.first().is_some_and(|x| x.name == f.name));
            if self.provider == Provider::Sqlite && !is_id {
                self.err(
                    "Error parsing attribute \"@default\": The `autoincrement()` default value is used on a non-id field even though the datasource does not support this.",
                    attr_span(f),
                );
            }
            let indexed = is_id
                || uniques.iter().any(|u| u.fields.first().is_some_and(|x| x.name == f.name))
                || b.attributes().any(|a| {
                    a.name.name == "index"
                        && a.arg("fields", Some(0))
                            .and_then(|x| x.value.as_list().first())
                            .is_some_and(|x| matches!(&x.kind, ExprKind::Const(c) | ExprKind::Call { name: c, .. } if *c == f.name))
                });
            if !indexed {
                self.err(
                    "Error parsing attribute \"@default\": The `autoincrement()` default value is used on a non-indexed field even though the datasource does not support this.",
                    attr_span(f),
                );
            }
        }
    }

    /// `sort:`, `length:`, `map:`, `clustered:` on `@id`/`@unique`.
    fn index_field_args(
        &mut self,
        a: &Attribute,
    ) -> (Option<SortOrder>, Option<u32>, Option<String>, Option<bool>) {
        let mut sort = None;
        let mut length = None;
        let mut map = None;
        let mut clustered = None;
        for arg in &a.args {
            let name = arg.name.as_ref().map(|n| n.name.as_str());
            match name {
                Some("sort") => sort = self.sort_order(&arg.value),
                Some("length") => length = number_u32(&arg.value),
                Some("map") => map = arg.value.as_str().map(str::to_string),
                Some("clustered") => clustered = arg.value.as_const().map(|c| c == "true"),
                Some(other) => {
                    let msg = format!("No such argument: `{other}`.");
                    self.attr_err(a, msg).hint =
                        Some("this attribute takes `map`, `sort`, `length` and `clustered`".into());
                }
                None => {
                    self.attr_err(a, "This attribute takes named arguments only (`map:`, `sort:`, `length:`, `clustered:`).");
                }
            }
        }
        (sort, length, map, clustered)
    }

    fn sort_order(&mut self, e: &Expr) -> Option<SortOrder> {
        match e.as_const() {
            Some("Asc") => Some(SortOrder::Asc),
            Some("Desc") => Some(SortOrder::Desc),
            _ => {
                self.err("`sort` must be `Asc` or `Desc`.", e.span);
                None
            }
        }
    }

    /// The `fields` list of `@@id`/`@@unique`/`@@index` (first positional or `fields:`).
    fn field_list(
        &mut self,
        a: &Attribute,
        fields: &[ScalarField],
        b: &Block,
    ) -> Option<Vec<IndexField>> {
        let Some(arg) = a.arg("fields", Some(0)) else {
            self.attr_err(a, "Argument \"fields\" is missing.").hint =
                Some(format!("write `@@{}([fieldA, fieldB])`", a.name.name));
            return None;
        };
        // A single field may be written without brackets: `@@index(userId)`.
        let items = arg.value.as_list();
        if !matches!(
            arg.value.kind,
            ExprKind::Array(_) | ExprKind::Const(_) | ExprKind::Call { .. }
        ) {
            self.attr_err(
                a,
                "The `fields` argument must be a list of field names, e.g. [a, b].",
            );
            return None;
        }
        if items.is_empty() {
            self.attr_err(a, "The list of fields must not be empty.");
            return None;
        }
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for item in items {
            let (name, args) = match &item.kind {
                ExprKind::Const(n) => (n.as_str(), &[][..]),
                ExprKind::Call { name, args } => (name.as_str(), args.as_slice()),
                _ => {
                    self.err("Expected a field name here.", item.span);
                    return None;
                }
            };
            if let Some((head, _)) = name.split_once('.') {
                // A path into a composite type (MongoDB): the first segment must be one.
                if fields
                    .iter()
                    .any(|f| f.name == head && matches!(f.ty, ScalarType::Composite(_)))
                {
                    out.push(IndexField {
                        name: name.to_string(),
                        db_name: name.to_string(),
                        sort: None,
                        length: None,
                    });
                    continue;
                }
            }
            let Some(f) = fields.iter().find(|f| f.name == name) else {
                let is_relation = b.fields().any(|f| f.name.name == name);
                missing.push((name.to_string(), item.span, is_relation));
                continue;
            };
            let mut sort = None;
            let mut length = None;
            for x in args {
                match x.name.as_ref().map(|n| n.name.as_str()) {
                    Some("sort") => sort = self.sort_order(&x.value),
                    Some("length") => length = number_u32(&x.value),
                    Some("ops") => {}
                    _ => {
                        self.err("Unknown argument: a field in an index takes `sort:`, `length:` or `ops:`.", x.span);
                    }
                }
            }
            out.push(IndexField {
                name: f.name.clone(),
                db_name: f.db_name.clone(),
                sort,
                length,
            });
        }
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|m| m.0.as_str()).collect();
            let what = match a.name.name.as_str() {
                "id" => "The multi field id declaration",
                "unique" => "The unique index definition",
                _ => "The index definition",
            };
            let relation = missing.iter().any(|m| m.2);
            let msg = if relation {
                format!(
                    "Error validating model \"{}\": {what} refers to the relation fields {}. Index definitions must reference only scalar fields.",
                    b.name.name,
                    names.join(", ")
                )
            } else if a.name.name == "id" {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                format!(
                    "Error validating model \"{}\": {what} refers to the unknown field{} {}.",
                    b.name.name,
                    if list.len() == 1 { "" } else { "s" },
                    list.join(", ")
                )
            } else {
                format!(
                    "Error validating model \"{}\": {what} refers to the unknown fields: {}.",
                    b.name.name,
                    names.join(", ")
                )
            };
            self.err(msg, missing[0].1).hint = suggest(
                names[0],
                &fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            )
            .map(|s| format!("did you mean `{s}`?"));
            return None;
        }
        Some(out)
    }

    fn string_arg(&mut self, a: &Attribute) -> Option<String> {
        match a.arg("name", Some(0)).map(|x| &x.value) {
            Some(v) => match v.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    let msg = format!("Expected a string value, but received {}.", v.describe());
                    self.attr_err(a, msg);
                    None
                }
            },
            None => {
                self.attr_err(a, "Expected one string argument, e.g. (\"name\").");
                None
            }
        }
    }

    /// A string argument that may not be empty (`map:`, and `name:` of indexes), as Prisma
    /// checks them: `Error parsing attribute "@index": The `map` argument cannot be an empty
    /// string.`
    fn non_empty_string_named(&mut self, a: &Attribute, name: &str) -> Option<String> {
        let s = self.opt_string_named(a, name)?;
        if s.is_empty() {
            let msg = format!(
                "Error parsing attribute \"@{}\": The `{name}` argument cannot be an empty string.",
                a.name.name
            );
            let span = a.arg(name, None).map_or(a.span, |x| x.span);
            self.err(msg, span);
            return None;
        }
        Some(s)
    }

    /// The database name given with `map:`.
    fn mapped_name(&mut self, a: &Attribute) -> Option<String> {
        self.non_empty_string_named(a, "map")
    }

    /// The client name of `@@id` / `@@unique` (`name:`): it becomes part of the client's API,
    /// so Prisma allows only `_a-zA-Z0-9`.
    fn client_name(&mut self, a: &Attribute, b: &Block) -> Option<String> {
        let name = self.non_empty_string_named(a, "name")?;
        if !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
            let msg = format!(
                "Error validating model \"{}\": The `name` property within the `@@{}` attribute only allows for the following characters: `_a-zA-Z0-9`.",
                b.name.name, a.name.name
            );
            self.err(msg, a.span).hint = Some(format!(
                "for example `name: \"{}\"`",
                name.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            ));
            return None;
        }
        Some(name)
    }

    fn opt_string_named(&mut self, a: &Attribute, name: &str) -> Option<String> {
        let arg = a.arg(name, None)?;
        match arg.value.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                let msg = format!("The `{name}` argument must be a string.");
                self.err(msg, arg.value.span);
                None
            }
        }
    }

    fn scalar_field(&mut self, f: &ast::Field, b: &Block, composite: bool) -> Option<ScalarField> {
        let ty_ast = f.ty.as_ref()?;
        let tname = ty_ast.name.name.as_str();
        let ty = if let Some(u) = &ty_ast.unsupported {
            ScalarType::Unsupported(u.as_str().unwrap_or_default().to_string())
        } else if let Some(s) = ScalarType::builtin(tname) {
            s
        } else {
            match self.tops.get(tname).map(|b| b.kind) {
                Some(BlockKind::Enum) => ScalarType::Enum(tname.to_string()),
                Some(BlockKind::Type) => ScalarType::Composite(tname.to_string()),
                Some(_) if composite => {
                    let msg = format!(
                        "Error validating field `{}` in composite type `{}`: Composite types cannot have relations to models.",
                        f.name.name, b.name.name
                    );
                    self.err(msg, ty_ast.name.span);
                    return None;
                }
                _ => {
                    let msg = format!(
                        "Type \"{tname}\" is neither a built-in type, nor refers to another model, composite type, or enum."
                    );
                    let mut candidates: Vec<&str> = vec![
                        "String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime",
                        "Json", "Bytes",
                    ];
                    candidates.extend(self.tops.keys().copied());
                    let hint = suggest(tname, &candidates).map(|s| format!("did you mean `{s}`?"));
                    self.err(msg, ty_ast.name.span).hint = hint;
                    return None;
                }
            }
        };
        if ty_ast.arity == Arity::List
            && !matches!(ty, ScalarType::Composite(_))
            && !self.provider.supports_scalar_lists()
            && !self.options.partial
        {
            let msg = format!(
                "Field \"{}\" in model \"{}\" can't be a list. The current connector does not support lists of primitive types.",
                f.name.name, b.name.name
            );
            self.err(msg, ty_ast.span);
        }

        self.check_duplicate_attrs(&f.attributes, false);
        let mut db_name = f.name.name.clone();
        let mut native_type = None;
        let mut default = None;
        let mut updated_at = false;
        let mut ignored = false;
        let db_prefix = format!("{}.", self.ds_name);
        for a in &f.attributes {
            let name = a.name.name.as_str();
            match name {
                "map" => {
                    if let Some(s) = self.string_arg(a) {
                        db_name = s;
                    }
                }
                "id" | "unique" if composite => {
                    let msg =
                        format!("The attribute `@{name}` cannot be used on composite type fields.");
                    self.attr_err(a, msg);
                }
                "id" => {
                    if ty_ast.arity != Arity::Required {
                        self.attr_err(a, "Fields that are marked as id must be required.");
                    }
                }
                "unique" => {}
                "default" => default = self.default(a, &ty, ty_ast.arity),
                "updatedAt" => {
                    if ty != ScalarType::DateTime {
                        self.attr_err(
                            a,
                            "Fields that are marked with @updatedAt must be of type DateTime.",
                        );
                    } else if ty_ast.arity == Arity::List {
                        self.attr_err(a, "Fields that are marked with @updatedAt cannot be lists.");
                    }
                    updated_at = true;
                }
                "ignore" if matches!(ty, ScalarType::Unsupported(_)) => {
                    self.attr_err(a, "Fields of type `Unsupported` cannot take an `@ignore` attribute. They are already treated as ignored by the client due to their type.");
                }
                "ignore" => {
                    if b.attribute("ignore").is_some() {
                        self.attr_err(a, "Fields on an already ignored Model do not need an `@ignore` annotation.");
                    }
                    ignored = true;
                }
                "relation" => {
                    let msg = format!(
                        "Invalid field type, not a relation: `{}` is a scalar field; `@relation` goes on a field whose type is a model.",
                        f.name.name
                    );
                    self.attr_err(a, msg);
                }
                n if n.starts_with(&db_prefix) || n.starts_with("db.") => {
                    native_type = self.native_type(a, &ty, &db_prefix);
                }
                other => {
                    let msg = format!("Attribute not known: \"@{other}\".");
                    let mut known: Vec<&str> = FIELD_ATTRS.to_vec();
                    known.retain(|k| *k != "relation");
                    let hint = suggest(other, &known)
                        .map(|s| format!("did you mean `@{s}`?"))
                        .unwrap_or_else(|| {
                            format!(
                                "known field attributes: {}, and native types as `@{}.Type`",
                                known
                                    .iter()
                                    .map(|a| format!("@{a}"))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                self.ds_name
                            )
                        });
                    self.err(msg, a.span).hint = Some(hint);
                }
            }
        }
        Some(ScalarField {
            name: f.name.name.clone(),
            db_name,
            ty,
            arity: ty_ast.arity,
            native_type,
            default,
            updated_at,
            ignored,
            docs: docs(&f.docs),
            span: f.span,
        })
    }

    fn native_type(&mut self, a: &Attribute, ty: &ScalarType, prefix: &str) -> Option<NativeType> {
        let Some(name) = a.name.name.strip_prefix(prefix) else {
            let msg = format!(
                "The prefix `{}` does not match the datasource name `{}`.",
                a.name.name.split('.').next().unwrap_or_default(),
                self.ds_name
            );
            self.err(msg, a.name.span).hint = Some(format!(
                "write `@{}{}`",
                prefix,
                a.name.name.split_once('.').map_or("", |x| x.1)
            ));
            return None;
        };
        if self.options.partial && self.tops.is_empty() {
            return None;
        }
        let Some(spec) = native::find(self.provider, name) else {
            let msg = format!(
                "Native type {name} is not supported for {} connector.",
                self.provider
            );
            let known: Vec<&str> = native::native_types(self.provider)
                .iter()
                .map(|t| t.name)
                .collect();
            let hint = suggest(name, &known).map(|s| format!("did you mean `@{prefix}{s}`?"));
            self.err(msg, a.span).hint = hint;
            return None;
        };
        for x in &a.args {
            let ok = match &x.value.kind {
                ExprKind::Number(n) => n.parse::<u32>().is_ok(),
                // SQL Server's `Max`.
                ExprKind::Const(c) => c == "Max" || c == "max",
                _ => false,
            };
            if !ok {
                let found = crate::format::render_expr(&x.value);
                self.err(
                    format!("Expected a nonnegative integer, but found ({found})."),
                    x.value.span,
                );
                return None;
            }
        }
        let args: Vec<String> = a
            .args
            .iter()
            .map(|x| match &x.value.kind {
                ExprKind::Number(n) => n.clone(),
                ExprKind::Const(c) => c.clone(),
                ExprKind::Str { value, .. } => value.clone(),
                _ => String::new(),
            })
            .collect();
        if args.len() < spec.args.0 || args.len() > spec.args.1 {
            let expected = if spec.args.0 == spec.args.1 {
                spec.args.0.to_string()
            } else {
                format!("{} to {}", spec.args.0, spec.args.1)
            };
            let msg = format!(
                "Native type {name} takes {expected} arguments, but received {}.",
                args.len()
            );
            self.err(msg, a.span);
        }
        if !matches!(ty, ScalarType::Unsupported(_)) && !spec.fits(ty) {
            let msg = format!(
                "Native type {name} is not compatible with declared field type {}, expected field type {}.",
                ty.name(),
                spec.scalars.join(" or ")
            );
            self.err(msg, a.span);
        }
        Some(NativeType {
            name: name.to_string(),
            args,
        })
    }

    fn default(&mut self, a: &Attribute, ty: &ScalarType, arity: Arity) -> Option<DefaultValue> {
        let Some(arg) = a.arg("value", Some(0)) else {
            self.attr_err(a, "Argument \"value\" is missing.").hint =
                Some("write `@default(value)`, e.g. `@default(now())`".into());
            return None;
        };
        let map = self.opt_string_named(a, "map");
        let e = &arg.value;
        let kind = match &e.kind {
            ExprKind::Call { name, args } => {
                let n = name.as_str();
                let num_arg = args.first().and_then(|x| number_u32(&x.value));
                let fits = |types: &[&str]| types.contains(&ty.name());
                let (ok, needs): (bool, &str) = match n {
                    "autoincrement" => (fits(&["Int", "BigInt"]), "Int or BigInt"),
                    "now" => (*ty == ScalarType::DateTime, "DateTime"),
                    "uuid" | "cuid" | "nanoid" | "ulid" => (*ty == ScalarType::String, "String"),
                    "dbgenerated" | "sequence" => (true, ""),
                    "auto" => (true, ""),
                    _ => {
                        let msg = format!("The function `{n}` is not a known function. You can read about the available functions here: https://pris.ly/d/attribute-functions");
                        self.attr_err(a, msg).hint = Some(
                            "known: autoincrement(), now(), uuid(), cuid(), nanoid(), ulid(), dbgenerated(\"...\")".into(),
                        );
                        return None;
                    }
                };
                if !ok {
                    let msg = format!(
                        "The function `{n}()` cannot be used on fields of type `{}`.",
                        ty.name()
                    );
                    self.attr_err(a, msg).hint =
                        Some(format!("`{n}()` fits fields of type {needs}"));
                    return None;
                }
                match n {
                    "autoincrement" => {
                        if self.provider == Provider::Mongodb {
                            self.attr_err(a, "The `autoincrement()` default function is not supported on MongoDB.");
                        }
                        DefaultKind::Autoincrement
                    }
                    "now" => DefaultKind::Now,
                    "uuid" => match num_arg {
                        None => DefaultKind::Uuid(4),
                        Some(v @ (4 | 7)) => DefaultKind::Uuid(v as u8),
                        Some(_) => {
                            self.attr_err(a, "`uuid()` takes an optional version: 4 or 7.");
                            return None;
                        }
                    },
                    "cuid" => match num_arg {
                        None => DefaultKind::Cuid(1),
                        Some(v @ (1 | 2)) => DefaultKind::Cuid(v as u8),
                        Some(_) => {
                            self.attr_err(a, "`cuid()` takes either no argument, or a single integer argument which is either 1 or 2.");
                            return None;
                        }
                    },
                    "nanoid" => match num_arg {
                        None => DefaultKind::Nanoid(None),
                        Some(v @ 2..=255) => DefaultKind::Nanoid(Some(v as u8)),
                        Some(_) => {
                            self.attr_err(
                                a,
                                "`nanoid()` takes either no argument, or a single integer argument between 2 and 255.",
                            );
                            return None;
                        }
                    },
                    "ulid" => DefaultKind::Ulid,
                    "dbgenerated" => match args.first() {
                        None => DefaultKind::DbGenerated(None),
                        Some(x) => match x.value.as_str() {
                            Some(s) => DefaultKind::DbGenerated(Some(s.to_string())),
                            None => {
                                self.attr_err(a, "`dbgenerated()` takes a single String argument");
                                return None;
                            }
                        },
                    },
                    "sequence" => DefaultKind::Sequence,
                    _ => {
                        if self.provider != Provider::Mongodb && !self.options.partial {
                            self.attr_err(
                                a,
                                "The current connector does not support the `auto()` function.",
                            );
                        }
                        DefaultKind::Auto
                    }
                }
            }
            ExprKind::Array(items) => {
                if arity != Arity::List {
                    let msg = format!("Expected {}, but received an array.", expected_literal(ty));
                    self.attr_err(a, msg);
                    return None;
                }
                let mut list = Vec::new();
                for it in items {
                    list.push(self.literal(a, it, ty)?);
                }
                DefaultKind::List(list)
            }
            _ => {
                if arity == Arity::List {
                    self.attr_err(
                        a,
                        "The default value of a list field must be a list, e.g. `@default([])`.",
                    );
                    return None;
                }
                DefaultKind::Value(self.literal(a, e, ty)?)
            }
        };
        Some(DefaultValue { kind, map })
    }

    fn literal(&mut self, a: &Attribute, e: &Expr, ty: &ScalarType) -> Option<Literal> {
        let wrong = |v: &mut Self, e: &Expr| {
            let found = match &e.kind {
                ExprKind::Str { raw, .. } => raw.clone(),
                ExprKind::Number(n) | ExprKind::Const(n) => n.clone(),
                _ => crate::format::render_expr(e),
            };
            let msg = format!("Expected a {} value, but found `{found}`.", ty.name());
            v.attr_err(a, msg);
            None
        };
        match (ty, &e.kind) {
            (ScalarType::DateTime, ExprKind::Str { value, .. }) if !is_rfc3339(value) => {
                let msg =
                    format!("Parse error: \"{value}\" is not a valid rfc3339 datetime string.");
                self.attr_err(a, msg).hint =
                    Some("write a full timestamp such as \"2024-01-31T12:00:00Z\"".into());
                None
            }
            (
                ScalarType::String | ScalarType::DateTime | ScalarType::Json | ScalarType::Bytes,
                ExprKind::Str { value, .. },
            ) => {
                if *ty == ScalarType::Json {
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(value) {
                        let msg = format!(
                            "Error parsing attribute \"@default\": Parse error: \"{value}\" is not a valid JSON string. ({e})"
                        );
                        self.err(msg, a.span).hint =
                            Some("the string holds JSON: keys and strings in double quotes, escaped, e.g. @default(\"{\\\"theme\\\": \\\"dark\\\"}\")".into());
                        return None;
                    }
                }
                Some(Literal::String(value.clone()))
            }
            // Prisma reads a Decimal default from a string too (`@default("2.00")`).
            (ScalarType::Decimal, ExprKind::Str { value, .. }) => match decimal_error(value) {
                None => Some(Literal::Number(value.replace('_', "").replacen('+', "", 1))),
                Some(reason) => {
                    let msg = format!(
                        "Error parsing attribute \"default\": Parse error: \"{value}\" is not a valid decimal. ({reason})"
                    );
                    self.err(msg, a.span).hint =
                        Some("write a number, e.g. @default(2.50) or @default(\"2.50\")".into());
                    None
                }
            },
            (ScalarType::Int | ScalarType::BigInt, ExprKind::Number(n)) => match n.parse::<i64>() {
                Ok(i) => Some(Literal::Int(i)),
                Err(_) => {
                    let msg = format!("Expected an integer, but found `{n}`.");
                    self.attr_err(a, msg);
                    None
                }
            },
            (ScalarType::Float, ExprKind::Number(n)) => n.parse::<f64>().ok().map(Literal::Float),
            (ScalarType::Decimal, ExprKind::Number(n)) => Some(Literal::Number(n.clone())),
            (ScalarType::Boolean, ExprKind::Const(c)) if c == "true" || c == "false" => {
                Some(Literal::Boolean(c == "true"))
            }
            (ScalarType::Enum(en), ExprKind::Const(c)) => {
                let exists = self
                    .tops
                    .get(en.as_str())
                    .is_some_and(|b| b.fields().any(|f| &f.name.name == c));
                if !exists {
                    let msg = format!("The defined default value `{c}` is not a valid value of the enum specified for the field.");
                    let values: Vec<String> = self
                        .tops
                        .get(en.as_str())
                        .map(|b| b.fields().map(|f| f.name.name.clone()).collect())
                        .unwrap_or_default();
                    self.attr_err(a, msg).hint =
                        Some(format!("`{en}` has the values: {}", values.join(", ")));
                    return None;
                }
                Some(Literal::Enum(c.clone()))
            }
            (ScalarType::Unsupported(_), _) => {
                self.attr_err(
                    a,
                    "Only `@default(dbgenerated(\"...\"))` can be used on Unsupported fields.",
                );
                None
            }
            (ScalarType::Composite(_), _) => {
                self.attr_err(a, "Composite fields cannot have a default value.");
                None
            }
            _ => wrong(self, e),
        }
    }

    // ----- relations --------------------------------------------------------------------------

    fn relation_field(
        &mut self,
        model: usize,
        f: &'a ast::Field,
        target: &'a str,
    ) -> Option<PendingRelation<'a>> {
        let ty = f.ty.as_ref()?;
        let mut p = PendingRelation {
            model,
            field: f,
            target,
            arity: ty.arity,
            name: None,
            fields: None,
            references: None,
            on_delete: None,
            on_update: None,
            map: None,
            attr_span: f.span,
            ignored: false,
        };
        self.check_duplicate_attrs(&f.attributes, false);
        for a in &f.attributes {
            match a.name.name.as_str() {
                "relation" => {
                    p.attr_span = a.span;
                    for arg in &a.args {
                        let name = arg.name.as_ref().map(|n| n.name.as_str());
                        match name {
                            None | Some("name") => match arg.value.as_str() {
                                Some(s) => p.name = Some(s.to_string()),
                                None => {
                                    self.attr_err(a, "The relation name must be a string, e.g. @relation(\"authored\").");
                                }
                            },
                            Some("fields") => p.fields = self.name_list(a, &arg.value, "fields"),
                            Some("references") => {
                                p.references = self.name_list(a, &arg.value, "references")
                            }
                            Some("onDelete") => p.on_delete = self.referential_action(&arg.value),
                            Some("onUpdate") => p.on_update = self.referential_action(&arg.value),
                            Some("map") => p.map = arg.value.as_str().map(str::to_string),
                            Some(other) => {
                                let msg = format!("No such argument: `{other}`.");
                                self.attr_err(a, msg).hint = Some(
                                    "@relation takes a name and `fields`, `references`, `onDelete`, `onUpdate`, `map`".into(),
                                );
                            }
                        }
                    }
                }
                "ignore" => p.ignored = true,
                other
                    if matches!(other, "map" | "default" | "unique" | "id" | "updatedAt")
                        || other.contains('.') =>
                {
                    let msg =
                        format!("The attribute `@{other}` cannot be used on relation fields.");
                    self.attr_err(a, msg).hint = Some(
                        "put it on the scalar field that holds the foreign key instead".into(),
                    );
                }
                other => {
                    let msg = format!("Attribute not known: \"@{other}\".");
                    self.err(msg, a.span);
                }
            }
        }
        Some(p)
    }

    fn name_list(&mut self, a: &Attribute, e: &Expr, what: &str) -> Option<Vec<(String, Span)>> {
        let items = match &e.kind {
            ExprKind::Array(items) => items.as_slice(),
            ExprKind::Const(_) => std::slice::from_ref(e),
            _ => {
                let msg = format!(
                    "The `{what}` argument must be a list of field names, e.g. [authorId]."
                );
                self.attr_err(a, msg);
                return None;
            }
        };
        let mut out = Vec::new();
        for it in items {
            match it.as_const() {
                Some(n) => out.push((n.to_string(), it.span)),
                None => {
                    self.err("Expected a field name here.", it.span);
                    return None;
                }
            }
        }
        Some(out)
    }

    fn referential_action(&mut self, e: &Expr) -> Option<(ReferentialAction, Span)> {
        let allowed: &[ReferentialAction] =
            if self.relation_mode == RelationMode::Prisma && self.provider != Provider::Mongodb {
                &[
                    ReferentialAction::Cascade,
                    ReferentialAction::Restrict,
                    ReferentialAction::NoAction,
                    ReferentialAction::SetNull,
                ]
            } else {
                self.provider.referential_actions()
            };
        let list = || {
            allowed
                .iter()
                .map(|a| format!("`{}`", a.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match e.as_const().and_then(ReferentialAction::parse) {
            Some(a) if allowed.contains(&a) || self.options.partial => {
                if a == ReferentialAction::SetDefault && self.provider == Provider::Mysql {
                    self.diags.push(Diagnostic::warning(
                        "MySQL does not actually support the `SetDefault` referential action, so using it may result in unexpected errors. Read more at https://pris.ly/d/mysql-set-default",
                        e.span,
                    ));
                }
                Some((a, e.span))
            }
            _ => {
                let written = match &e.kind {
                    ExprKind::Const(c) => c.clone(),
                    _ => e.describe().to_string(),
                };
                let msg = if ReferentialAction::parse(&written).is_some() {
                    format!(
                        "Error validating: Invalid referential action: `{written}`. Allowed values: ({})",
                        list()
                    )
                } else {
                    format!("Error parsing attribute \"@relation\": Invalid referential action: `{written}`")
                };
                self.err(msg, e.span).hint = Some(format!("allowed here: {}", list()));
                None
            }
        }
    }

    fn relations(
        &mut self,
        models: &mut [Model],
        blocks: &[&'a Block],
        pending: Vec<PendingRelation<'a>>,
    ) -> Vec<Relation> {
        let model_index: HashMap<&str, usize> = blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.name.name.as_str(), i))
            .collect();
        // Group the fields by (pair of models, relation name).
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<(&str, &str, &str), usize> = HashMap::new();
        for (i, p) in pending.iter().enumerate() {
            let a = blocks[p.model].name.name.as_str();
            let b = p.target;
            let key = if a <= b { (a, b) } else { (b, a) };
            let key = (key.0, key.1, p.name.as_deref().unwrap_or(""));
            let g = *group_of.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
        let mut relations = Vec::new();
        for group in groups {
            let first = &pending[group[0]];
            let model_name = blocks[first.model].name.name.as_str();
            if group.len() == 1 {
                let known_target = model_index.contains_key(first.target);
                if known_target || !self.options.partial {
                    let msg = format!(
                        "Error validating field `{}` in model `{}`: The relation field `{}` on model `{}` is missing an opposite relation field on the model `{}`. Either run `prisma format` or add it manually.",
                        first.field.name.name, model_name, first.field.name.name, model_name, first.target
                    );
                    self.err(msg, first.field.span).hint =
                        Some("run `sovereign format` to add the missing field".into());
                    continue;
                }
                // Partial schema: the other side lives in a file we do not see.
                let id = RelationId(relations.len());
                if let Some(r) = self.build_relation(id, models, &model_index, first, None) {
                    relations.push(r);
                }
                continue;
            }
            let same_model_pair = group.len() == 2
                && pending[group[0]].model == pending[group[1]].model
                && blocks[pending[group[0]].model].name.name != pending[group[0]].target;
            if group.len() > 2 || same_model_pair {
                // Name the fields of the first model that holds several of them, as Prisma does.
                let holder = group
                    .iter()
                    .map(|&i| pending[i].model)
                    .find(|m| group.iter().filter(|&&i| pending[i].model == *m).count() > 1)
                    .unwrap_or(first.model);
                let fields: Vec<&PendingRelation> = group
                    .iter()
                    .map(|&i| &pending[i])
                    .filter(|p| p.model == holder)
                    .collect();
                let holder_name = blocks[holder].name.name.as_str();
                let names: Vec<String> = fields
                    .iter()
                    .map(|p| format!("`{}`", p.field.name.name))
                    .collect();
                let msg = format!(
                    "Error validating model \"{holder_name}\": Ambiguous relation detected. The fields {} in model `{holder_name}` both refer to `{}`. Please provide different relation names for them by adding `@relation(<name>).",
                    names.join(" and "),
                    fields[0].target
                );
                let mut d = Diagnostic::error(msg, fields[0].field.span).with_hint(
                    "name each relation on both sides, e.g. `@relation(\"sent\")` and `@relation(\"received\")`",
                );
                for p in &fields[1..] {
                    d = d.with_note(p.field.span, "this field refers to the same model");
                }
                self.diags.push(d);
                continue;
            }
            let (a, b) = (&pending[group[0]], &pending[group[1]]);
            let id = RelationId(relations.len());
            if let Some(r) = self.build_relation(id, models, &model_index, a, Some(b)) {
                relations.push(r);
            }
        }
        // Point each relation field at its relation.
        for r in &relations {
            for side in [&r.from, &r.to] {
                let (Some(field), Some(&mi)) = (&side.field, model_index.get(side.model.as_str()))
                else {
                    continue;
                };
                if let Some(rf) = models[mi]
                    .relation_fields
                    .iter_mut()
                    .find(|f| &f.name == field)
                {
                    rf.relation = r.id;
                }
            }
        }
        relations
    }

    fn build_relation(
        &mut self,
        id: RelationId,
        models: &[Model],
        model_index: &HashMap<&str, usize>,
        a: &PendingRelation<'a>,
        b: Option<&PendingRelation<'a>>,
    ) -> Option<Relation> {
        let a_model = &models[a.model];
        let default_name = || {
            let (x, y) = if a_model.name.as_str() <= a.target {
                (a_model.name.as_str(), a.target)
            } else {
                (a.target, a_model.name.as_str())
            };
            format!("{x}To{y}")
        };
        let name = a.name.clone().unwrap_or_else(default_name);
        let Some(b) = b else {
            // One side only (partial schema): the side with `fields` is the foreign key side.
            return Some(Relation {
                id,
                name,
                kind: if a.arity == Arity::List {
                    RelationKind::OneToMany
                } else {
                    RelationKind::OneToOne
                },
                from: RelationSide {
                    model: a_model.name.clone(),
                    field: Some(a.field.name.name.clone()),
                },
                to: RelationSide {
                    model: a.target.to_string(),
                    field: None,
                },
                fields: a.fields.iter().flatten().map(|x| x.0.clone()).collect(),
                references: a.references.iter().flatten().map(|x| x.0.clone()).collect(),
                on_delete: a.on_delete.map_or(ReferentialAction::Restrict, |x| x.0),
                on_update: a.on_update.map_or(ReferentialAction::Cascade, |x| x.0),
                fk_name: a.map.clone(),
                join_table: None,
            });
        };
        let b_model = &models[b.model];
        let list = (a.arity == Arity::List, b.arity == Arity::List);
        if list == (true, true) {
            // MongoDB keeps many-to-many as lists of ids on both sides; SQL databases get an
            // implicit join table, which needs a single-field id on both models.
            let mongo = self.provider == Provider::Mongodb;
            if a_model.is_view || b_model.is_view {
                for p in [a, b] {
                    self.err(
                        "Error validating: Implicit many-to-many relations are not supported for views.",
                        p.field.span,
                    )
                    .hint = Some(
                        "relate the view to a model with a foreign key (one-to-many) instead".into(),
                    );
                }
                return None;
            }
            if !mongo {
                for p in [a, b] {
                    if p.fields.is_some() || p.references.is_some() {
                        let msg = format!(
                            "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `fields` or `references` argument in the @relation attribute: implicit many-to-many relations are managed by Prisma.",
                            p.field.name.name, models[p.model].name
                        );
                        self.err(msg, p.attr_span);
                        return None;
                    }
                }
                for (p, other) in [(a, b), (b, a)] {
                    let target = &models[other.model];
                    let single_id = target
                        .primary_key
                        .as_ref()
                        .is_some_and(|pk| pk.fields.len() == 1);
                    if !single_id {
                        let msg = format!(
                            "Error validating field `{}` in model `{}`: The relation field `{}` on Model `{}` references `{}` which does not have an `@id` field. Models without `@id` cannot be part of a many to many relation. Use an explicit intermediate Model to represent this relationship.",
                            p.field.name.name, models[p.model].name, p.field.name.name, models[p.model].name, target.name
                        );
                        self.err(msg, p.field.span);
                        return None;
                    }
                }
            }
            let (first, second) = if a_model.name <= b_model.name {
                (a, b)
            } else {
                (b, a)
            };
            let names = |list: &Option<Vec<(String, Span)>>| {
                list.iter()
                    .flatten()
                    .map(|x| x.0.clone())
                    .collect::<Vec<_>>()
            };
            let action = if mongo {
                ReferentialAction::NoAction
            } else {
                ReferentialAction::Cascade
            };
            return Some(Relation {
                id,
                kind: RelationKind::ManyToMany,
                from: RelationSide {
                    model: models[first.model].name.clone(),
                    field: Some(first.field.name.name.clone()),
                },
                to: RelationSide {
                    model: models[second.model].name.clone(),
                    field: Some(second.field.name.name.clone()),
                },
                fields: names(&first.fields),
                references: names(&first.references),
                on_delete: action,
                on_update: action,
                fk_name: None,
                join_table: (!mongo).then(|| JoinTable {
                    name: format!("_{name}"),
                    a_model: models[first.model].name.clone(),
                    b_model: models[second.model].name.clone(),
                }),
                name,
            });
        }

        // One-to-many or one-to-one: find the side holding the foreign key.
        let (fk, back, kind) = match list {
            (false, true) => (a, b, RelationKind::OneToMany),
            (true, false) => (b, a, RelationKind::OneToMany),
            _ => {
                let a_has = a.fields.is_some() || a.references.is_some();
                let b_has = b.fields.is_some() || b.references.is_some();
                match (a_has, b_has) {
                    (true, false) => (a, b, RelationKind::OneToOne),
                    (false, true) => (b, a, RelationKind::OneToOne),
                    (true, true) => {
                        let msg = format!(
                            "Error parsing attribute \"@relation\": The relation fields `{}` on Model `{}` and `{}` on Model `{}` both provide the `references` argument in the @relation attribute. You have to provide it only on one of the two fields.",
                            a.field.name.name, a_model.name, b.field.name.name, b_model.name
                        );
                        self.err(msg, b.attr_span)
                            .notes
                            .push((a.attr_span, "the other side".into()));
                        return None;
                    }
                    (false, false) => {
                        let msg = format!(
                            "Error parsing attribute \"@relation\": The relation fields `{}` on Model `{}` and `{}` on Model `{}` do not provide the `fields` argument in the @relation attribute. You have to provide it on one of the two fields.",
                            a.field.name.name, a_model.name, b.field.name.name, b_model.name
                        );
                        self.err(msg, a.field.span).hint = Some(format!(
                            "add `@relation(fields: [{}Id], references: [id])` to the side that should hold the foreign key",
                            a.field.name.name
                        ));
                        return None;
                    }
                }
            }
        };
        let fk_model = &models[fk.model];
        let target = &models[back.model];
        if back.fields.is_some() || back.references.is_some() {
            let msg = format!(
                "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `fields` or `references` argument in the @relation attribute. You must only specify it on the opposite field `{}` on model `{}`.",
                back.field.name.name, target.name, fk.field.name.name, fk_model.name
            );
            self.err(msg, back.attr_span);
            return None;
        }
        if back.on_delete.is_some() || back.on_update.is_some() {
            let msg = format!(
                "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must not specify the `onDelete` or `onUpdate` argument in the @relation attribute. You must only specify it on the opposite field `{}` on model `{}`, or in case of a many to many relation, in an explicit join table.",
                back.field.name.name, target.name, fk.field.name.name, fk_model.name
            );
            self.err(msg, back.attr_span);
        }
        let Some(fields) = &fk.fields else {
            let msg = format!(
                "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must specify the `fields` argument in the @relation attribute. You can run `prisma format` to fix this automatically.",
                fk.field.name.name, fk_model.name
            );
            self.err(msg, fk.attr_span).hint =
                Some("e.g. `@relation(fields: [authorId], references: [id])`".into());
            return None;
        };
        let Some(references) = &fk.references else {
            let msg = format!(
                "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` must specify the `references` argument in the @relation attribute.",
                fk.field.name.name, fk_model.name
            );
            self.err(msg, fk.attr_span).hint = Some("e.g. `references: [id]`".into());
            return None;
        };
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| fk_model.field(&f.0).is_none())
            .map(|f| f.0.as_str())
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "Error validating: The argument fields must refer only to existing fields. The following fields do not exist in this model: {}",
                missing.join(", ")
            );
            let hint = suggest(
                missing[0],
                &fk_model
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    "add a scalar field such as `{} Int` to `{}`",
                    missing[0], fk_model.name
                )
            });
            self.err(msg, fk.attr_span).hint = Some(hint);
            return None;
        }
        let missing: Vec<&str> = references
            .iter()
            .filter(|f| target.field(&f.0).is_none())
            .map(|f| f.0.as_str())
            .collect();
        if !missing.is_empty() {
            let msg = format!(
                "Error validating: The argument `references` must refer only to existing fields in the related model `{}`. The following fields do not exist in the related model: {}",
                target.name,
                missing.join(", ")
            );
            self.err(msg, fk.attr_span);
            return None;
        }
        if fields.len() != references.len() {
            self.err(
                "Error validating: You must specify the same number of fields in `fields` and `references`.",
                fk.attr_span,
            );
            return None;
        }
        for (f, r) in fields.iter().zip(references) {
            let (lf, rf) = (fk_model.field(&f.0)?, target.field(&r.0)?);
            let same = lf.ty == rf.ty
                && (lf.native_type.is_none()
                    || rf.native_type.is_none()
                    || lf.native_type == rf.native_type);
            if !same {
                let msg = format!(
                    "Error parsing attribute \"@relation\": The type of the field `{}` in the model `{}` is not matching the type of the referenced field `{}` in model `{}`.",
                    lf.name, fk_model.name, rf.name, target.name
                );
                self.err(msg, f.1).hint =
                    Some(format!("declare `{}` as `{}`", lf.name, rf.ty.name()));
                return None;
            }
        }
        let ref_names: Vec<&str> = references.iter().map(|r| r.0.as_str()).collect();
        let is_unique = target.unique_criteria().any(|c| {
            c.len() == ref_names.len() && c.iter().all(|f| ref_names.contains(&f.name.as_str()))
        });
        if !is_unique && !target.is_view {
            let msg = format!(
                "Error parsing attribute \"@relation\": The argument `references` must refer to a unique criterion in the related model. Consider adding an `@unique` attribute to the field `{}` in the model `{}`.",
                ref_names.join(", "),
                target.name
            );
            self.err(msg, fk.attr_span);
            return None;
        }
        let fk_names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
        if kind == RelationKind::OneToOne {
            let unique = fk_model.unique_criteria().any(|c| {
                c.len() == fk_names.len() && c.iter().all(|f| fk_names.contains(&f.name.as_str()))
            });
            if !unique {
                let msg = format!(
                    "Error parsing attribute \"@relation\": A one-to-one relation must use unique fields on the defining side. Either add an `@unique` attribute to the field `{}`, or change the relation to one-to-many.",
                    fk_names.join(", ")
                );
                self.err(msg, fk.attr_span);
                return None;
            }
            if back.arity == Arity::Required {
                let msg = format!(
                    "Error parsing attribute \"@relation\": The relation field `{}` on Model `{}` is required. This is not valid because it's not possible to enforce this constraint on the database level. Please change the field type from `{}` to `{}?` to fix this.",
                    back.field.name.name, target.name, fk_model.name, fk_model.name
                );
                self.err(msg, back.field.span);
                return None;
            }
        }
        let fk_fields: Vec<&ScalarField> =
            fk_names.iter().filter_map(|n| fk_model.field(n)).collect();
        let any_required = fk_fields.iter().any(|f| f.is_required());
        let any_optional = fk_fields.iter().any(|f| !f.is_required());
        if any_optional && fk.arity == Arity::Required {
            let msg = format!(
                "Error validating: The relation field `{}` uses the scalar fields {}. At least one of those fields is optional. Hence the relation field must be optional as well.",
                fk.field.name.name,
                fk_names.join(", ")
            );
            self.err(msg, fk.field.span).hint = Some(format!(
                "write `{} {}?`, or make the foreign key fields required",
                fk.field.name.name, target.name
            ));
            return None;
        }
        let emulated = self.provider == Provider::Mongodb;
        let default_delete = if any_required {
            if matches!(self.provider, Provider::Sqlserver) || emulated {
                ReferentialAction::NoAction
            } else {
                ReferentialAction::Restrict
            }
        } else {
            ReferentialAction::SetNull
        };
        if let Some((ReferentialAction::SetNull, span)) = fk.on_delete {
            if any_required {
                // Prisma warns (the database would fail at run time when it tries to set NULL).
                self.diags.push(Diagnostic::warning(
                    "The `onDelete` referential action of a relation should not be set to `SetNull` when a referenced field is required. We recommend either to choose another referential action, or to make the referenced fields optional. Read more at https://pris.ly/d/postgres-set-null",
                    span,
                ));
            }
        }
        if let Some((ReferentialAction::SetNull, span)) = fk.on_update {
            if any_required {
                // Prisma warns (the database would fail at run time when it tries to set NULL).
                self.diags.push(Diagnostic::warning(
                    "The `onUpdate` referential action of a relation should not be set to `SetNull` when a referenced field is required. We recommend either to choose another referential action, or to make the referenced fields optional. Read more at https://pris.ly/d/postgres-set-null",
                    span,
                ));
            }
        }
        let columns: Vec<&str> = fk_fields.iter().map(|f| f.db_name.as_str()).collect();
        let fk_name = if emulated {
            None
        } else {
            Some(fk.map.clone().unwrap_or_else(|| {
                default_constraint_name(&fk_model.db_name, &columns, "fkey", self.provider)
            }))
        };
        let _ = model_index;
        Some(Relation {
            id,
            name,
            kind,
            from: RelationSide {
                model: fk_model.name.clone(),
                field: Some(fk.field.name.name.clone()),
            },
            to: RelationSide {
                model: target.name.clone(),
                field: Some(back.field.name.name.clone()),
            },
            fields: fk_names.iter().map(|s| s.to_string()).collect(),
            references: ref_names.iter().map(|s| s.to_string()).collect(),
            on_delete: fk.on_delete.map_or(default_delete, |x| x.0),
            on_update: fk.on_update.map_or(
                if emulated {
                    ReferentialAction::NoAction
                } else {
                    ReferentialAction::Cascade
                },
                |x| x.0,
            ),
            fk_name,
            join_table: None,
        })
    }

    // ----- names across the schema ------------------------------------------------------------

    fn check_table_names(&mut self, models: &[Model]) {
        let mut tables: HashMap<(Option<&str>, &str), &Model> = HashMap::new();
        for m in models {
            if let Some(prev) = tables.insert((m.schema.as_deref(), m.db_name.as_str()), m) {
                if prev.name == m.name {
                    continue; // reported as a duplicate name already
                }
                let msg = format!(
                    "The model with database name \"{}\" could not be defined because another model or view with this name exists: \"{}\"",
                    m.db_name, prev.name
                );
                self.err(msg, m.db_name_span).notes.push((
                    prev.span,
                    format!("`{}` uses the table `{}`", prev.name, prev.db_name),
                ));
            }
        }
    }

    /// Constraint names must be unique in Prisma's namespaces: primary keys, indexes and unique
    /// constraints share one namespace per schema (PostgreSQL, SQLite, CockroachDB) or per table
    /// (MySQL, SQL Server, MongoDB); foreign keys one per table.
    fn check_constraint_names(&mut self, models: &[Model], relations: &[Relation]) {
        let per_table = matches!(
            self.provider,
            Provider::Mysql | Provider::Sqlserver | Provider::Mongodb
        );
        // (model, constraint name, attribute, span)
        let mut entries: Vec<(&Model, &str, &str, Span, &str)> = Vec::new();
        for m in models {
            if let (Some(pk), false) = (&m.primary_key, per_table) {
                let label = if pk.compound { "@@id" } else { "@id" };
                entries.push((m, &pk.db_name, label, pk.span, "index"));
            }
            for idx in m.uniques.iter().chain(&m.indexes) {
                let label = match (idx.kind, idx.single_field) {
                    (IndexKind::Unique, true) => "@unique",
                    (IndexKind::Unique, false) => "@@unique",
                    (IndexKind::Fulltext, _) => "@@fulltext",
                    (IndexKind::Normal, _) => "@@index",
                };
                entries.push((m, &idx.db_name, label, idx.span, "index"));
            }
        }
        let by_name: HashMap<&str, &Model> = models.iter().map(|m| (m.name.as_str(), m)).collect();
        for r in relations {
            let (Some(name), Some(&m)) = (&r.fk_name, by_name.get(r.from.model.as_str())) else {
                continue;
            };
            let span = r
                .from
                .field
                .as_ref()
                .and_then(|f| m.relation_field(f))
                .map_or(m.span, |f| f.span);
            entries.push((m, name, "@relation", span, "foreign key"));
        }
        // Every constraint of a table shares that table's namespace; primary keys, indexes and
        // unique constraints also share one per schema unless the database scopes them per table.
        let mut global: HashMap<(Option<&str>, &str), (&Model, Span)> = HashMap::new();
        let mut local: HashMap<(Option<&str>, &str, &str), (&Model, Span)> = HashMap::new();
        for (m, name, label, span, space) in entries {
            let clash = if !per_table && space == "index" {
                global
                    .insert((m.schema.as_deref(), name), (m, span))
                    .map(|p| {
                        (
                            p,
                            "global for primary key, indexes and unique constraints".to_string(),
                        )
                    })
            } else {
                None
            };
            let clash = clash.or_else(|| {
                local
                    .insert((m.schema.as_deref(), m.db_name.as_str(), name), (m, span))
                    .map(|p| {
                        (
                            p,
                            format!(
                                "on model `{}` for primary key, indexes, unique constraints and foreign keys",
                                m.name
                            ),
                        )
                    })
            });
            if let Some(((prev, prev_span), namespace)) = clash {
                if prev.name == m.name && !std::ptr::eq(prev, m) {
                    continue; // a duplicate model, reported as such
                }
                let msg = format!(
                    "Error parsing attribute \"{label}\": The given constraint name `{name}` has to be unique in the following namespace: {namespace}. Please provide a different name using the `map` argument."
                );
                let note = format!("`{}` already uses the name `{name}` here", prev.name);
                self.err(msg, span).notes.push((prev_span, note));
            }
        }
    }

    /// With `relationMode = "prisma"` no foreign key (and so no index the database would add
    /// for it) exists: Prisma warns when no index, unique constraint or primary key starts with
    /// a relation's foreign key fields, in order.
    fn check_relation_indexes(&mut self, models: &[Model], relations: &[Relation]) {
        if self.relation_mode != RelationMode::Prisma
            || self.provider == Provider::Mongodb
            || self.options.partial
        {
            return;
        }
        for r in relations {
            if r.fields.is_empty() {
                continue;
            }
            let Some(m) = models.iter().find(|m| m.name == r.from.model) else {
                continue;
            };
            let starts_with_fk = |fields: &[IndexField]| {
                fields.len() >= r.fields.len()
                    && fields.iter().zip(&r.fields).all(|(f, fk)| &f.name == fk)
            };
            let covered = m.primary_key.iter().any(|pk| starts_with_fk(&pk.fields))
                || m.uniques
                    .iter()
                    .chain(&m.indexes)
                    .any(|i| starts_with_fk(&i.fields));
            if covered {
                continue;
            }
            let span = r
                .from
                .field
                .as_ref()
                .and_then(|f| m.relation_field(f))
                .map_or(m.span, |f| f.span);
            self.diags.push(
                Diagnostic::warning(
                    "With `relationMode = \"prisma\"`, no foreign keys are used, so relation fields will not benefit from the index usually created by the relational database under the hood. This can lead to poor performance when querying these fields. We recommend adding an index manually. Learn more at https://pris.ly/d/relation-mode-prisma-indexes\"",
                    span,
                )
                .with_hint(format!("add `@@index([{}])` to `{}`", r.fields.join(", "), m.name)),
            );
        }
    }

    fn check_enum_names(&mut self, enums: &[Enum]) {
        let mut seen: HashMap<(Option<&str>, &str), &Enum> = HashMap::new();
        for e in enums {
            if let Some(prev) = seen.insert((e.schema.as_deref(), e.db_name.as_str()), e) {
                if prev.name == e.name {
                    continue; // reported as a duplicate name
                }
                let msg = "An enum with the same database name is already defined.".to_string();
                self.err(msg, e.span).notes.push((
                    prev.span,
                    format!("`{}` is mapped to `{}` too", prev.name, e.db_name),
                ));
            }
        }
    }
}

fn provider_list() -> String {
    Provider::ALL
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list of strings; like Prisma, a single string is a list of one (`schemas = "public"`,
/// `previewFeatures = "views"`).
fn string_array(e: &Expr) -> Option<Vec<String>> {
    e.as_list()
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn number_u32(e: &Expr) -> Option<u32> {
    match &e.kind {
        ExprKind::Number(n) => n.parse().ok(),
        _ => None,
    }
}

fn docs(comments: &[ast::Comment]) -> Option<String> {
    if comments.is_empty() {
        return None;
    }
    Some(
        comments
            .iter()
            .map(|c| c.documentation())
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn join_names(fields: &[IndexField]) -> String {
    fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join("_")
}

fn expected_literal(ty: &ScalarType) -> &'static str {
    match ty {
        ScalarType::Int | ScalarType::BigInt => "a numeric value",
        ScalarType::Float | ScalarType::Decimal => "a numeric value",
        ScalarType::String => "a string value",
        ScalarType::Boolean => "a boolean value",
        ScalarType::DateTime => "a datetime value",
        ScalarType::Json => "a JSON string",
        ScalarType::Bytes => "a base64 string",
        ScalarType::Enum(_) => "an enum value",
        _ => "a value",
    }
}

/// `2024-01-31T12:00:00Z`, with optional fractions and a `+hh:mm` offset.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Why a string is not a decimal, in the words of the `bigdecimal` parser Prisma uses (`None`
/// when it is one): an optional sign, digits with an optional `.` (either side may be empty),
/// `_` between digits, and an optional `e`/`E` exponent.
fn decimal_error(s: &str) -> Option<&'static str> {
    const EMPTY: &str = "cannot parse integer from empty string";
    const INVALID: &str = "invalid digit found in string";
    if s.is_empty() {
        return Some("Failed to parse empty string");
    }
    let (base, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if let Some(exp) = exponent {
        if let Err(e) = exp.parse::<i64>() {
            return Some(match e.kind() {
                std::num::IntErrorKind::Empty => EMPTY,
                std::num::IntErrorKind::PosOverflow => "number too large to fit in target type",
                std::num::IntErrorKind::NegOverflow => "number too small to fit in target type",
                _ => INVALID,
            });
        }
    }
    if base.is_empty() {
        return Some("Failed to parse empty string");
    }
    // The integer of all digits (num-bigint's rules: one sign, then digits and `_`).
    let digits = base.replacen('.', "", 1);
    let mut d = digits.as_str();
    if let Some(rest) = d.strip_prefix('-').filter(|r| !r.starts_with('+')) {
        d = rest;
    }
    if let Some(rest) = d.strip_prefix('+').filter(|r| !r.starts_with('+')) {
        d = rest;
    }
    if d.is_empty() {
        return Some(EMPTY);
    }
    if d.starts_with('_') || !d.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return Some(INVALID);
    }
    None
}

/// The closest candidate by edit distance, when it is close enough to be a likely typo.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| {
            *d <= (c.len().max(word.len()) / 3).max(1) && *d > 0 || (*d == 0 && *c != word)
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
