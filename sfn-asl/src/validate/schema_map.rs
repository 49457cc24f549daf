//! The Map state: processor, reader, batcher, writer (checklist §2.9).

use serde_json::Value;

use super::reader::{Ctx, Lang, Obj, Pointer, Spec};
use super::schema::{
    dynamic, int_reader, jsonata_shaped, number_reader, payload, ref_path_value, scope, template,
    transition, ErrorOutput, RefRoots,
};
use crate::model::{
    CsvDelimiter, CsvHeaderLocation, ExecutionType, InputType, ItemBatcher, ItemProcessor,
    ItemReader, ManifestType, Map, OutputType, ProcessorConfig, ProcessorMode, QueryLanguage,
    ReaderConfig, ReaderTransformation, ResultWriter, States, WriterConfig, WriterTransformation,
};

use crate::resource::Resource;
use Lang::{Both as B, JsonPath as P, Jsonata as A};

pub(crate) const MAP: Spec = &[
    ("Type", B),
    ("Comment", B),
    ("QueryLanguage", B),
    ("ItemProcessor", B),
    ("Iterator", B),
    ("ItemsPath", P),
    ("Items", A),
    ("ItemSelector", B),
    ("Parameters", P),
    ("MaxConcurrency", B),
    ("MaxConcurrencyPath", P),
    ("ItemReader", B),
    ("ItemBatcher", B),
    ("ResultWriter", B),
    ("ToleratedFailurePercentage", B),
    ("ToleratedFailurePercentagePath", P),
    ("ToleratedFailureCount", B),
    ("ToleratedFailureCountPath", P),
    ("Label", B),
    ("InputPath", P),
    ("ResultSelector", P),
    ("ResultPath", P),
    ("OutputPath", P),
    ("Output", A),
    ("Assign", B),
    ("Retry", B),
    ("Catch", B),
    ("Next", B),
    ("End", B),
];
// The legacy `Iterator` takes `ProcessorConfig` too (AWS ran test_map_state_legacy_config_*).
const PROCESSOR: Spec = &[
    ("ProcessorConfig", B),
    ("StartAt", B),
    ("States", B),
    ("Comment", B),
];
const PROCESSOR_CONFIG: Spec = &[("Mode", B), ("ExecutionType", B)];
const READER: Spec = &[
    ("Resource", B),
    ("Parameters", P),
    ("Arguments", A),
    ("ReaderConfig", B),
];
const READER_CONFIG: Spec = &[
    ("InputType", B),
    ("CSVHeaderLocation", B),
    ("CSVHeaders", B),
    ("CSVDelimiter", B),
    ("MaxItems", B),
    ("MaxItemsPath", P),
    ("Transformation", B),
    ("ManifestType", B),
    ("ItemsPointer", B),
];
const BATCHER: Spec = &[
    ("MaxItemsPerBatch", B),
    ("MaxItemsPerBatchPath", P),
    ("MaxInputBytesPerBatch", B),
    ("MaxInputBytesPerBatchPath", P),
    ("BatchInput", B),
];
const WRITER: Spec = &[
    ("Resource", B),
    ("Parameters", P),
    ("Arguments", A),
    ("WriterConfig", B),
];
const WRITER_CONFIG: Spec = &[("OutputType", B), ("Transformation", B)];

pub(crate) fn map(ctx: &mut Ctx, o: &Obj<'_>, lang: QueryLanguage) -> Map {
    let item_processor = processor(ctx, o);
    ctx.at_most_one(o, &["ItemSelector", "Parameters"]);
    Map {
        item_processor,
        items_path: o
            .get("ItemsPath")
            .and_then(|v| ref_path_value(ctx, v, &o.at.key("ItemsPath"), RefRoots::Any)),
        items: jsonata_shaped(ctx, o, "Items", "an array", Value::is_array),
        item_selector: template(ctx, o, "ItemSelector", lang, ErrorOutput::Forbidden),
        parameters: if o.has("ItemSelector") {
            None
        } else {
            payload(ctx, o, "Parameters")
        },
        max_concurrency: dynamic(
            ctx,
            o,
            "MaxConcurrency",
            lang,
            RefRoots::NoContext,
            int_reader(0),
        ),
        item_reader: ctx
            .object_field(o, "ItemReader")
            .map(|m| reader(ctx, m, &o.at.key("ItemReader"), lang)),
        item_batcher: ctx
            .object_field(o, "ItemBatcher")
            .map(|m| batcher(ctx, m, &o.at.key("ItemBatcher"), lang)),
        result_writer: ctx
            .object_field(o, "ResultWriter")
            .map(|m| writer(ctx, m, &o.at.key("ResultWriter"), lang)),
        tolerated_failure_percentage: dynamic(
            ctx,
            o,
            "ToleratedFailurePercentage",
            lang,
            RefRoots::NoContext,
            number_reader,
        ),
        tolerated_failure_count: dynamic(
            ctx,
            o,
            "ToleratedFailureCount",
            lang,
            RefRoots::NoContext,
            int_reader(0),
        ),
        label: ctx.string(o, "Label"),
        flow: super::schema_states::data_flow(ctx, o, lang),
        transition: transition(ctx, o),
    }
}

/// `ItemProcessor` or the legacy `Iterator` (exactly one).
fn processor(ctx: &mut Ctx, o: &Obj<'_>) -> ItemProcessor {
    let mut out = ItemProcessor {
        legacy_iterator: false,
        comment: None,
        processor_config: None,
        start_at: String::new(),
        states: States::default(),
    };
    if !o.has("ItemProcessor") && !o.has("Iterator") {
        ctx.require(o, &["ItemProcessor"]);
        return out;
    }
    if !ctx.at_most_one(o, &["ItemProcessor", "Iterator"]) {
        return out;
    }
    let key = if o.has("ItemProcessor") {
        "ItemProcessor"
    } else {
        "Iterator"
    };
    out.legacy_iterator = key == "Iterator";
    let Some(map) = ctx.object_field(o, key) else {
        return out;
    };
    // Nested scopes take no QueryLanguage of their own; the language does not matter here.
    let p = ctx.object(map, &o.at.key(key), PROCESSOR, QueryLanguage::JsonPath);
    ctx.require(&p, &["StartAt", "States"]);
    out.comment = ctx.string(&p, "Comment");
    out.start_at = ctx.string(&p, "StartAt").unwrap_or_default();
    out.processor_config = ctx.object_field(&p, "ProcessorConfig").map(|m| {
        let c = ctx.object(
            m,
            &p.at.key("ProcessorConfig"),
            PROCESSOR_CONFIG,
            QueryLanguage::JsonPath,
        );
        ProcessorConfig {
            mode: ctx.one_of(&c, "Mode", ProcessorMode::ALL, ProcessorMode::as_str),
            execution_type: ctx.one_of(
                &c,
                "ExecutionType",
                ExecutionType::ALL,
                ExecutionType::as_str,
            ),
        }
    });
    out.states = scope(ctx, &p, "States");
    out
}

fn reader(
    ctx: &mut Ctx,
    m: &serde_json::Map<String, Value>,
    at: &Pointer,
    lang: QueryLanguage,
) -> ItemReader {
    let r = ctx.object(m, at, READER, lang);
    ctx.require(&r, &["Resource"]);
    let reader_config = ctx.object_field(&r, "ReaderConfig").map(|m| {
        let c = ctx.object(m, &r.at.key("ReaderConfig"), READER_CONFIG, lang);
        ReaderConfig {
            input_type: ctx.one_of(&c, "InputType", InputType::ALL, InputType::as_str),
            csv_header_location: ctx.one_of(
                &c,
                "CSVHeaderLocation",
                CsvHeaderLocation::ALL,
                CsvHeaderLocation::as_str,
            ),
            csv_headers: ctx.strings(&c, "CSVHeaders"),
            csv_delimiter: ctx.one_of(&c, "CSVDelimiter", CsvDelimiter::ALL, CsvDelimiter::as_str),
            max_items: dynamic(
                ctx,
                &c,
                "MaxItems",
                lang,
                RefRoots::NoContext,
                int_reader(0),
            ),
            transformation: ctx.one_of(
                &c,
                "Transformation",
                ReaderTransformation::ALL,
                ReaderTransformation::as_str,
            ),
            manifest_type: ctx.one_of(&c, "ManifestType", ManifestType::ALL, ManifestType::as_str),
            items_pointer: ctx.string(&c, "ItemsPointer"),
        }
    });
    ItemReader {
        resource: super::schema_states::resource(ctx, &r).unwrap_or_else(|| Resource::parse("")),
        parameters: payload(ctx, &r, "Parameters"),
        arguments: jsonata_shaped(ctx, &r, "Arguments", "an object", Value::is_object),
        reader_config,
    }
}

fn batcher(
    ctx: &mut Ctx,
    m: &serde_json::Map<String, Value>,
    at: &Pointer,
    lang: QueryLanguage,
) -> ItemBatcher {
    let b = ctx.object(m, at, BATCHER, lang);
    ItemBatcher {
        max_items_per_batch: dynamic(
            ctx,
            &b,
            "MaxItemsPerBatch",
            lang,
            RefRoots::NoContext,
            int_reader(1),
        ),
        max_input_bytes_per_batch: dynamic(
            ctx,
            &b,
            "MaxInputBytesPerBatch",
            lang,
            RefRoots::NoContext,
            int_reader(1),
        ),
        batch_input: template(ctx, &b, "BatchInput", lang, ErrorOutput::Forbidden),
    }
}

fn writer(
    ctx: &mut Ctx,
    m: &serde_json::Map<String, Value>,
    at: &Pointer,
    lang: QueryLanguage,
) -> ResultWriter {
    let w = ctx.object(m, at, WRITER, lang);
    if m.is_empty() {
        ctx.schema(
            at,
            "These fields are required: [Resource] or [WriterConfig]",
            Some("add `WriterConfig` or `Resource` with `Parameters`".into()),
        );
    }
    let writer_config = ctx.object_field(&w, "WriterConfig").map(|m| {
        let c = ctx.object(m, &w.at.key("WriterConfig"), WRITER_CONFIG, lang);
        WriterConfig {
            output_type: ctx.one_of(&c, "OutputType", OutputType::ALL, OutputType::as_str),
            transformation: ctx.one_of(
                &c,
                "Transformation",
                WriterTransformation::ALL,
                WriterTransformation::as_str,
            ),
        }
    });
    ResultWriter {
        resource: super::schema_states::resource(ctx, &w),
        parameters: payload(ctx, &w, "Parameters"),
        arguments: jsonata_shaped(ctx, &w, "Arguments", "an object", Value::is_object),
        writer_config,
    }
}
