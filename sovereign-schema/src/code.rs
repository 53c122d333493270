//! The stable codes of diagnostics: one per rule, so that tools and tests can tell diagnostics
//! apart without reading their messages (which follow Prisma's wording and may be improved).
//! A code's name (`relation-missing-opposite`) never changes once released; new rules get new
//! codes.

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, )+) => {
        /// What rule a [`Diagnostic`](crate::diagnostic::Diagnostic) comes from. The name
        /// ([`Code::as_str`]) is stable: tools may match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $(
                $(#[doc = $doc])+
                #[doc = ""]
                #[doc = concat!("`", $name, "`")]
                $variant,
            )+
        }

        impl Code {
            /// Every code, in the order of this list.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The stable name, in kebab case (`relation-missing-opposite`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// The code of a name, as [`Code::as_str`] gives it.
            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

codes! {
    // ----- syntax ---------------------------------------------------------------------------
    /// A line outside any block that starts with no known keyword, or text after a block's `}`
    /// on its line.
    SyntaxInvalidLine = "syntax-invalid-line",
    /// A line inside a block that is not a field, value, property, attribute or comment.
    SyntaxInvalidMember = "syntax-invalid-member",
    /// A block without its closing `}`.
    SyntaxUnclosedBlock = "syntax-unclosed-block",
    /// A block keyword without a name, or without `{` after it.
    SyntaxBlockHeader = "syntax-block-header",
    /// A datasource or generator line without `=`.
    SyntaxProperty = "syntax-property",
    /// A field without a name or a type.
    SyntaxFieldIncomplete = "syntax-field-incomplete",
    /// Prisma 1's field syntax (`id: Int`, `String!`, `[String]`).
    SyntaxPrisma1Field = "syntax-prisma1-field",
    /// `Unsupported` without its one string argument.
    SyntaxUnsupportedType = "syntax-unsupported-type",
    /// `Type[]?` or `Type?[]`.
    SyntaxOptionalList = "syntax-optional-list",
    /// A block attribute (`@@...`) on a field's line.
    SyntaxBlockAttributePosition = "syntax-block-attribute-position",
    /// `@` or `@@` without a name.
    SyntaxAttributeName = "syntax-attribute-name",
    /// A trailing comma where Prisma refuses one (attribute arguments, `env()`).
    SyntaxTrailingComma = "syntax-trailing-comma",
    /// An argument list that is not `(a, name: b)`.
    SyntaxArguments = "syntax-arguments",
    /// A list that is not `[a, b]`.
    SyntaxList = "syntax-list",
    /// A value missing where one is expected.
    SyntaxValue = "syntax-value",
    /// Arrays and calls nested too deeply to read.
    SyntaxNesting = "syntax-nesting",
    /// A string without its closing quote.
    SyntaxString = "syntax-string",
    /// An unknown escape sequence in a string.
    SyntaxEscape = "syntax-escape",
    /// A file that is not UTF-8.
    InvalidUtf8 = "invalid-utf8",

    // ----- names ----------------------------------------------------------------------------
    /// A model, view, enum or composite type name (or a datasource or generator name) defined
    /// twice.
    DuplicateBlock = "duplicate-block",
    /// A name Prisma reserves (`PrismaClient`, a scalar type's name, `Unsupported`).
    ReservedName = "reserved-name",
    /// `-` in a name.
    HyphenInName = "hyphen-in-name",
    /// A name that starts with a digit.
    NameStartsWithDigit = "name-starts-with-digit",
    /// A field defined twice in one model, view or composite type.
    DuplicateField = "duplicate-field",
    /// An enum value defined twice.
    DuplicateEnumValue = "duplicate-enum-value",
    /// A datasource or generator property given twice.
    DuplicateProperty = "duplicate-property",
    /// An attribute given twice on one field or block.
    DuplicateAttribute = "duplicate-attribute",
    /// Two fields of a model mapped to one column.
    DuplicateColumn = "duplicate-column",
    /// Two models or views mapped to one table.
    DuplicateTable = "duplicate-table",
    /// Two enums mapped to one database name.
    DuplicateEnumDbName = "duplicate-enum-db-name",
    /// Two constraints (keys, indexes, foreign keys) with one name in a namespace.
    DuplicateConstraintName = "duplicate-constraint-name",
    /// `map:` naming a primary key, a foreign key or a default where the provider has no such
    /// names.
    ConstraintNameUnsupported = "constraint-name-unsupported",

    // ----- datasource and generators --------------------------------------------------------
    /// More than one datasource.
    DatasourceMultiple = "datasource-multiple",
    /// No datasource in a complete schema.
    DatasourceMissing = "datasource-missing",
    /// A datasource without `provider`.
    DatasourceProviderMissing = "datasource-provider-missing",
    /// A provider Prisma does not know.
    DatasourceProviderUnknown = "datasource-provider-unknown",
    /// A provider that is not a string literal (`env()` included).
    DatasourceProviderNotLiteral = "datasource-provider-not-literal",
    /// A datasource without `url`.
    DatasourceUrlMissing = "datasource-url-missing",
    /// A URL that is neither a string nor `env("VARIABLE")`.
    UrlInvalid = "url-invalid",
    /// `env(name: "X")`: Prisma reads it, and warns that `env` takes no named argument.
    EnvNamedArgument = "env-named-argument",
    /// `shadowDatabaseUrl` equal to `url` or `directUrl` (migrations would reset that database).
    DatasourceUrlConflict = "datasource-url-conflict",
    /// An empty `directUrl` (Prisma checks it last, when nothing else is wrong).
    DirectUrlEmpty = "direct-url-empty",
    /// `schemas` that is not a list of strings.
    DatasourceSchemasInvalid = "datasource-schemas-invalid",
    /// `previewFeatures` in the datasource instead of the generator.
    DatasourcePreviewFeatures = "datasource-preview-features",
    /// A datasource property Prisma does not know.
    PropertyUnknown = "property-unknown",
    /// `referentialIntegrity`, the deprecated name of `relationMode` (a warning).
    ReferentialIntegrityDeprecated = "referential-integrity-deprecated",
    /// `referentialIntegrity` and `relationMode` together.
    ReferentialIntegrityAndRelationMode = "referential-integrity-and-relation-mode",
    /// A `relationMode` other than `prisma` and `foreignKeys`.
    RelationModeInvalid = "relation-mode-invalid",
    /// An extension in `extensions = [...]` that does not read: a string, an unnamed, unknown
    /// or repeated argument, a name Prisma does not allow.
    ExtensionInvalid = "extension-invalid",
    /// `extensions` without the `postgresqlExtensions` preview feature.
    ExtensionsNeedPreview = "extensions-need-preview",
    /// A generator without `provider`.
    GeneratorProviderMissing = "generator-provider-missing",
    /// A generator `provider` that is not a string.
    GeneratorProviderInvalid = "generator-provider-invalid",
    /// `previewFeatures` that is not a list of strings.
    PreviewFeaturesInvalid = "preview-features-invalid",
    /// A preview feature Prisma does not know.
    PreviewFeatureUnknown = "preview-feature-unknown",
    /// A preview feature Prisma has promoted or retired (a warning).
    PreviewFeatureDeprecated = "preview-feature-deprecated",
    /// A preview feature Prisma has renamed (a warning).
    PreviewFeatureRenamed = "preview-feature-renamed",

    // ----- multi-schema ---------------------------------------------------------------------
    /// `schemas` on a provider without multiple schemas.
    SchemasUnsupported = "schemas-unsupported",
    /// `@@schema` naming a schema the datasource does not list.
    SchemaUndefined = "schema-undefined",
    /// A model, view or enum without `@@schema` while the datasource lists `schemas`.
    SchemaMissing = "schema-missing",

    // ----- types ----------------------------------------------------------------------------
    /// A field type that names no scalar, model, enum or composite type.
    TypeUnknown = "type-unknown",
    /// A composite type's field whose type is a model.
    CompositeTypeRelation = "composite-type-relation",
    /// Required composite fields that lead back to their own type.
    CompositeTypeCycle = "composite-type-cycle",
    /// An enum without values.
    EnumEmpty = "enum-empty",

    // ----- attributes -----------------------------------------------------------------------
    /// An attribute Prisma does not know.
    AttributeUnknown = "attribute-unknown",
    /// A known attribute where it may not stand (`@id` on a composite type's field, `@map` on
    /// a relation field, `@relation` on a scalar field).
    AttributeMisplaced = "attribute-misplaced",
    /// A required argument missing.
    ArgumentMissing = "argument-missing",
    /// An argument Prisma does not know, or a positional one where only named ones go.
    ArgumentUnknown = "argument-unknown",
    /// An argument of the wrong kind (a number for a string, a string for a list, ...).
    ArgumentType = "argument-type",
    /// An empty name or list where one is needed.
    ArgumentEmpty = "argument-empty",
    /// `@id` on an optional or list field.
    IdOptional = "id-optional",
    /// `@updatedAt` on a field that is not a single `DateTime`.
    UpdatedAtType = "updated-at-type",
    /// `@ignore` where the field is ignored anyway.
    IgnoreRedundant = "ignore-redundant",

    // ----- defaults -------------------------------------------------------------------------
    /// A default function Prisma does not know.
    DefaultFunctionUnknown = "default-function-unknown",
    /// A default function on a field of a type it does not produce.
    DefaultFunctionType = "default-function-type",
    /// A default function's arguments (versions, lengths) out of range.
    DefaultFunctionArgument = "default-function-argument",
    /// A default function the provider does not have (`autoincrement()` on MongoDB, `auto()`
    /// elsewhere).
    DefaultFunctionUnsupported = "default-function-unsupported",
    /// A default value of the wrong type.
    DefaultValueType = "default-value-type",
    /// A default value that does not parse as its type (a date, JSON, a decimal).
    DefaultValueInvalid = "default-value-invalid",
    /// A default that is not a value of the field's enum.
    DefaultEnumValue = "default-enum-value",
    /// `autoincrement()` twice in a table where the provider allows one.
    AutoincrementMultiple = "autoincrement-multiple",
    /// `autoincrement()` on a field that is not the id, where the provider requires it.
    AutoincrementNotId = "autoincrement-not-id",
    /// `autoincrement()` on a field without an index, where the provider requires one.
    AutoincrementNotIndexed = "autoincrement-not-indexed",

    // ----- native types ---------------------------------------------------------------------
    /// A native type whose prefix is not the datasource's name.
    NativeTypePrefix = "native-type-prefix",
    /// A native type the provider does not have.
    NativeTypeUnknown = "native-type-unknown",
    /// A native type's arguments: not non-negative integers, or too many or too few.
    NativeTypeArgument = "native-type-argument",
    /// A native type that does not fit the field's type.
    NativeTypeIncompatible = "native-type-incompatible",

    // ----- models, keys and indexes ---------------------------------------------------------
    /// More than one `@id`/`@@id` in a model.
    IdMultiple = "id-multiple",
    /// A model without an id or unique criterion of required fields.
    UniqueCriterionMissing = "unique-criterion-missing",
    /// A key or index naming a field the model does not have.
    IndexFieldUnknown = "index-field-unknown",
    /// A key or index naming a relation field.
    IndexRelationField = "index-relation-field",
    /// A client name (`name:` of `@@id`/`@@unique`) with characters other than `_a-zA-Z0-9`.
    ClientNameInvalid = "client-name-invalid",
    /// The client name of a compound id or unique (given or Prisma's default) is a field's name.
    ClientNameClash = "client-name-clash",
    /// `@@index` with both `name:` (its legacy spelling of `map:`) and `map:`.
    IndexNameAndMap = "index-name-and-map",
    /// `sort:` or `length:` where the provider does not have it.
    IndexArgumentUnsupported = "index-argument-unsupported",
    /// An index type the provider does not have, or a field (its type, native type or
    /// operator class) the index type does not take.
    IndexFieldType = "index-field-type",
    /// MySQL's text and blob columns in a key or index without a prefix `length:`.
    IndexLengthRequired = "index-length-required",
    /// `clustered:` on a provider other than SQL Server.
    ClusteringUnsupported = "clustering-unsupported",
    /// More than one clustered index (the primary key is clustered unless it says otherwise).
    ClusteredMultiple = "clustered-multiple",
    /// A shard key (`@shardKey`, `@@shardKey`) that does not read: two of them, an optional,
    /// unknown or relation field, an argument in the list.
    ShardKeyInvalid = "shard-key-invalid",
    /// A shard key without the `shardKeys` preview feature, or on a provider other than MySQL.
    ShardKeyUnsupported = "shard-key-unsupported",
    /// `@@fulltext` on a provider without full-text indexes.
    FulltextUnsupported = "fulltext-unsupported",
    /// Composite types on a provider other than MongoDB.
    CompositeTypesUnsupported = "composite-types-unsupported",
    /// Enums on a provider without them.
    EnumsUnsupported = "enums-unsupported",
    /// Lists of scalars on a provider without them.
    ScalarListsUnsupported = "scalar-lists-unsupported",
    /// A scalar type the provider does not have (`Json` on SQL Server, `Decimal` on MongoDB,
    /// `Json[]` but on PostgreSQL and MongoDB).
    ScalarTypeUnsupported = "scalar-type-unsupported",
    /// A MongoDB id not mapped to `_id`.
    MongodbIdMap = "mongodb-id-map",
    /// A MongoDB field mapped to a name with `.` or starting with `$`.
    MongodbFieldName = "mongodb-field-name",

    // ----- views ----------------------------------------------------------------------------
    /// A view without the `views` preview feature.
    ViewsNeedPreview = "views-need-preview",
    /// A primary key on a view.
    ViewPrimaryKey = "view-primary-key",
    /// An index on a view.
    ViewIndex = "view-index",
    /// A view's unique criterion with a database name, clustering or per-field arguments.
    ViewUniqueArguments = "view-unique-arguments",
    /// An implicit many-to-many relation with a view.
    ViewManyToMany = "view-many-to-many",

    // ----- relations ------------------------------------------------------------------------
    /// A relation field without its other side.
    RelationMissingOpposite = "relation-missing-opposite",
    /// Relations between the same models that need names to tell them apart.
    RelationAmbiguous = "relation-ambiguous",
    /// Two fields of a model pointing at the model itself without a relation name.
    SelfRelationAmbiguous = "self-relation-ambiguous",
    /// More than two fields of a model pointing at the model itself without a relation name.
    SelfRelationUnnamed = "self-relation-unnamed",
    /// `fields`/`references` on an implicit many-to-many relation.
    ManyToManyArguments = "many-to-many-arguments",
    /// An implicit many-to-many relation with a model without a single-field id.
    ManyToManyId = "many-to-many-id",
    /// A one-to-one relation with `fields`/`references` on both sides.
    OneToOneBothSides = "one-to-one-both-sides",
    /// A one-to-one relation with `fields`/`references` on neither side.
    OneToOneNoSide = "one-to-one-no-side",
    /// `fields`/`references` on the side that does not hold the foreign key.
    RelationBackSideArguments = "relation-back-side-arguments",
    /// `onDelete`/`onUpdate` on the side that does not hold the foreign key.
    RelationBackSideActions = "relation-back-side-actions",
    /// A relation without `fields`.
    RelationFieldsMissing = "relation-fields-missing",
    /// A relation without `references`.
    RelationReferencesMissing = "relation-references-missing",
    /// `fields` naming a field the model does not have.
    RelationFieldsUnknown = "relation-fields-unknown",
    /// `references` naming a field the referenced model does not have.
    RelationReferencesUnknown = "relation-references-unknown",
    /// `fields` naming a relation field.
    RelationFieldsNotScalar = "relation-fields-not-scalar",
    /// `references` naming a relation field of the referenced model.
    RelationReferencesNotScalar = "relation-references-not-scalar",
    /// `fields` and `references` of different lengths.
    RelationArgumentsLength = "relation-arguments-length",
    /// A foreign key field whose type differs from the referenced field's.
    RelationTypeMismatch = "relation-type-mismatch",
    /// `references` that are not a unique criterion of the referenced model.
    RelationReferencesNotUnique = "relation-references-not-unique",
    /// A one-to-one relation whose foreign key is not unique.
    OneToOneNotUnique = "one-to-one-not-unique",
    /// A required back side of a one-to-one relation.
    OneToOneBackRequired = "one-to-one-back-required",
    /// A required relation field over an optional foreign key.
    RelationOptionalForeignKey = "relation-optional-foreign-key",
    /// A referential action Prisma does not know.
    ReferentialActionUnknown = "referential-action-unknown",
    /// A referential action the provider or relation mode does not have.
    ReferentialActionUnsupported = "referential-action-unsupported",
    /// Referential actions that come back to their table (SQL Server, `relationMode =
    /// "prisma"`), or reach one table along two paths (SQL Server).
    ReferentialActionCycle = "referential-action-cycle",
    /// On MongoDB, a foreign key and the field it references with different native types (a
    /// warning: the join would not match).
    MongodbRelationNativeType = "mongodb-relation-native-type",
    /// `SetDefault` on MySQL (a warning).
    MysqlSetDefault = "mysql-set-default",
    /// `SetNull` on a required foreign key: an error, a warning on PostgreSQL with foreign keys.
    SetNullOnRequired = "set-null-on-required",
    /// A foreign key no index starts with, under `relationMode = "prisma"` (a warning).
    RelationModeIndexMissing = "relation-mode-index-missing",

    // ----- composition ----------------------------------------------------------------------
    /// Two plugins with one namespace.
    PluginNamespaceTwice = "plugin-namespace-twice",
    /// A datasource or generator in a plugin's extension.
    ExtensionConfigBlock = "extension-config-block",
    /// A core model using a plugin's model, enum, type or view.
    CoreUsesPlugin = "core-uses-plugin",
    /// A plugin using another plugin's model, enum, type or view.
    PluginUsesOtherPlugin = "plugin-uses-other-plugin",
    /// A plugin's list of a core model (which would put a foreign key or join into the core).
    PluginListOfCore = "plugin-list-of-core",
    /// A plugin's relation to a core model without `fields`/`references`.
    PluginRelationWithoutForeignKey = "plugin-relation-without-foreign-key",
    /// A table the tools own (the migration history).
    ReservedTable = "reserved-table",
}

impl Code {
    /// Whether Prisma reports this diagnostic only for a schema that read without errors.
    ///
    /// Prisma 6 first reads a schema (syntax, configuration, names, types, attributes and their
    /// arguments) and runs its validation (relations, keys and constraint names, native types,
    /// provider capabilities, views, ...) only when reading found no error: a schema with a
    /// typo gets the typo's error, not errors that stem from it. The codes of that validation
    /// are these; [`crate::diagnostic::drop_follow_on`] applies the rule. Which code belongs to
    /// which stage was checked against Prisma 6.19 (a reading error added to a schema and the
    /// diagnostics that remain; see `tests/fixtures/ORACLE-NOTES.md`).
    pub(crate) fn is_validation(self) -> bool {
        use Code::*;
        matches!(
            self,
            DuplicateTable
                | DirectUrlEmpty
                | DuplicateEnumDbName
                | DuplicateConstraintName
                | ConstraintNameUnsupported
                | ExtensionsNeedPreview
                | SchemaUndefined
                | SchemaMissing
                | CompositeTypeCycle
                | DefaultFunctionUnknown
                | DefaultFunctionUnsupported
                | DefaultValueInvalid
                | AutoincrementMultiple
                | AutoincrementNotId
                | AutoincrementNotIndexed
                | NativeTypePrefix
                | NativeTypeUnknown
                | NativeTypeArgument
                | NativeTypeIncompatible
                | UniqueCriterionMissing
                | ClientNameClash
                | IndexArgumentUnsupported
                | IndexFieldType
                | ShardKeyUnsupported
                | IndexLengthRequired
                | ClusteringUnsupported
                | ClusteredMultiple
                | FulltextUnsupported
                | CompositeTypesUnsupported
                | EnumsUnsupported
                | ScalarListsUnsupported
                | ScalarTypeUnsupported
                | MongodbIdMap
                | MongodbFieldName
                | ViewsNeedPreview
                | ViewPrimaryKey
                | ViewIndex
                | ViewUniqueArguments
                | ViewManyToMany
                | RelationMissingOpposite
                | RelationAmbiguous
                | SelfRelationAmbiguous
                | SelfRelationUnnamed
                | ManyToManyArguments
                | ManyToManyId
                | OneToOneBothSides
                | OneToOneNoSide
                | RelationBackSideArguments
                | RelationBackSideActions
                | RelationFieldsMissing
                | RelationReferencesMissing
                | RelationArgumentsLength
                | RelationTypeMismatch
                | RelationReferencesNotUnique
                | OneToOneNotUnique
                | OneToOneBackRequired
                | RelationOptionalForeignKey
                | ReferentialActionUnsupported
                | MysqlSetDefault
                | MongodbRelationNativeType
                | ReferentialActionCycle
                | SetNullOnRequired
                | RelationModeIndexMissing
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use crate::code::Code;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            let name = c.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name}"
            );
            assert_eq!(Code::from_name(name), Some(c));
        }
    }
}
