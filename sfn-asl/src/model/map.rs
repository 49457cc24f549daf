//! The Map state, inline and distributed.

use serde_json::Number;

use super::{Dynamic, States, Template, Transition};
use crate::jsonata::JsonataTemplate;
use crate::path::ReferencePath;
use crate::resource::Resource;
use crate::template::PayloadTemplate;

/// `"Type": "Map"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    /// `ItemProcessor`, or the legacy `Iterator` (see [`ItemProcessor::legacy_iterator`]).
    pub item_processor: ItemProcessor,
    /// `ItemsPath` (JSONPath; may read `$$`).
    pub items_path: Option<ReferencePath>,
    /// `Items` (JSONata): an array or an expression yielding one.
    pub items: Option<JsonataTemplate>,
    /// `ItemSelector`.
    pub item_selector: Option<Template>,
    /// `Parameters`: the deprecated alias of `ItemSelector`.
    pub parameters: Option<PayloadTemplate>,
    /// `MaxConcurrency` / `MaxConcurrencyPath` (0 = unbounded).
    pub max_concurrency: Option<Dynamic<u64>>,
    /// `ItemReader` (distributed).
    pub item_reader: Option<ItemReader>,
    /// `ItemBatcher` (distributed).
    pub item_batcher: Option<ItemBatcher>,
    /// `ResultWriter` (distributed).
    pub result_writer: Option<ResultWriter>,
    /// `ToleratedFailurePercentage` / `…Path` (0–100).
    pub tolerated_failure_percentage: Option<Dynamic<Number>>,
    /// `ToleratedFailureCount` / `…Path`.
    pub tolerated_failure_count: Option<Dynamic<u64>>,
    /// `Label`: names the Map Run.
    pub label: Option<String>,
    /// `InputPath`, `ResultSelector`, `ResultPath`, `OutputPath`, `Output`, `Assign`,
    /// `Retry`, `Catch`.
    pub flow: super::DataFlow,
    /// `Next` / `End`.
    pub transition: Transition,
}

impl Map {
    /// Whether iterations run as child executions (`ProcessorConfig.Mode: DISTRIBUTED`).
    pub fn is_distributed(&self) -> bool {
        matches!(
            self.item_processor
                .processor_config
                .as_ref()
                .and_then(|c| c.mode),
            Some(ProcessorMode::Distributed)
        )
    }
}

/// `ItemProcessor` (or legacy `Iterator`): the machine run for every item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProcessor {
    /// Written as the deprecated `Iterator` field (emitted back the same way).
    pub legacy_iterator: bool,
    /// `Comment`.
    pub comment: Option<String>,
    /// `ProcessorConfig`.
    pub processor_config: Option<ProcessorConfig>,
    /// `StartAt`.
    pub start_at: String,
    /// `States`.
    pub states: States,
}

/// `ProcessorConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessorConfig {
    /// `Mode` (default `INLINE`).
    pub mode: Option<ProcessorMode>,
    /// `ExecutionType` (required for `DISTRIBUTED`).
    pub execution_type: Option<ExecutionType>,
}

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant,)* }
        impl $name {
            /// Every value, in ASL order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The ASL spelling.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text,)* } }
            /// Parses the ASL spelling.
            pub fn from_name(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)* _ => None } }
        }
    };
}

string_enum!(
    /// `ProcessorConfig.Mode`.
    ProcessorMode { /// `INLINE`.
    Inline = "INLINE", /// `DISTRIBUTED`.
    Distributed = "DISTRIBUTED" }
);
string_enum!(
    /// `ProcessorConfig.ExecutionType`.
    ExecutionType { /// `STANDARD`.
    Standard = "STANDARD", /// `EXPRESS`.
    Express = "EXPRESS" }
);
string_enum!(
    /// `ReaderConfig.InputType`.
    InputType { /// `CSV`.
    Csv = "CSV", /// `JSON`.
    Json = "JSON", /// `JSONL`.
    Jsonl = "JSONL", /// `MANIFEST`.
    Manifest = "MANIFEST", /// `PARQUET`.
    Parquet = "PARQUET" }
);
string_enum!(
    /// `ReaderConfig.CSVHeaderLocation`.
    CsvHeaderLocation { /// `FIRST_ROW`.
    FirstRow = "FIRST_ROW", /// `GIVEN`.
    Given = "GIVEN" }
);
string_enum!(
    /// `ReaderConfig.CSVDelimiter`.
    CsvDelimiter { /// `COMMA`.
    Comma = "COMMA", /// `PIPE`.
    Pipe = "PIPE", /// `SEMICOLON`.
    Semicolon = "SEMICOLON", /// `SPACE`.
    Space = "SPACE", /// `TAB`.
    Tab = "TAB" }
);
string_enum!(
    /// `ReaderConfig.Transformation`.
    ReaderTransformation { /// `NONE`.
    None = "NONE", /// `LOAD_AND_FLATTEN`.
    LoadAndFlatten = "LOAD_AND_FLATTEN" }
);
string_enum!(
    /// `ReaderConfig.ManifestType`.
    ManifestType { /// `ATHENA_DATA`.
    AthenaData = "ATHENA_DATA", /// `S3_INVENTORY`.
    S3Inventory = "S3_INVENTORY" }
);
string_enum!(
    /// `WriterConfig.OutputType`.
    OutputType { /// `JSON`.
    Json = "JSON", /// `JSONL`.
    Jsonl = "JSONL" }
);
string_enum!(
    /// `WriterConfig.Transformation`.
    WriterTransformation { /// `NONE`.
    None = "NONE", /// `COMPACT`.
    Compact = "COMPACT", /// `FLATTEN`.
    Flatten = "FLATTEN" }
);

/// `ItemReader`: where a distributed Map reads its items.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReader {
    /// `Resource` (`arn:aws:states:::s3:getObject`, `…:s3:listObjectsV2`).
    pub resource: Resource,
    /// `Parameters` (JSONPath).
    pub parameters: Option<PayloadTemplate>,
    /// `Arguments` (JSONata).
    pub arguments: Option<JsonataTemplate>,
    /// `ReaderConfig`.
    pub reader_config: Option<ReaderConfig>,
}

/// `ItemReader.ReaderConfig`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderConfig {
    /// `InputType`.
    pub input_type: Option<InputType>,
    /// `CSVHeaderLocation`.
    pub csv_header_location: Option<CsvHeaderLocation>,
    /// `CSVHeaders` (with `GIVEN`).
    pub csv_headers: Option<Vec<String>>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<CsvDelimiter>,
    /// `MaxItems` / `MaxItemsPath`.
    pub max_items: Option<Dynamic<u64>>,
    /// `Transformation`.
    pub transformation: Option<ReaderTransformation>,
    /// `ManifestType`.
    pub manifest_type: Option<ManifestType>,
    /// `ItemsPointer`: a JSON pointer into a JSON source.
    pub items_pointer: Option<String>,
}

/// `ItemBatcher`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemBatcher {
    /// `MaxItemsPerBatch` / `…Path`.
    pub max_items_per_batch: Option<Dynamic<u64>>,
    /// `MaxInputBytesPerBatch` / `…Path`.
    pub max_input_bytes_per_batch: Option<Dynamic<u64>>,
    /// `BatchInput`: added to every batch as `BatchInput`.
    pub batch_input: Option<Template>,
}

/// `ResultWriter`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultWriter {
    /// `Resource` (`arn:aws:states:::s3:putObject`).
    pub resource: Option<Resource>,
    /// `Parameters` (JSONPath).
    pub parameters: Option<PayloadTemplate>,
    /// `Arguments` (JSONata).
    pub arguments: Option<JsonataTemplate>,
    /// `WriterConfig`.
    pub writer_config: Option<WriterConfig>,
}

/// `ResultWriter.WriterConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterConfig {
    /// `OutputType`.
    pub output_type: Option<OutputType>,
    /// `Transformation`.
    pub transformation: Option<WriterTransformation>,
}
