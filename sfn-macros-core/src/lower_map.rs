//! Lowering of Map states: the processor, and the distributed-Map objects (`item_reader`,
//! `item_batcher`, `result_writer`) written in JSON object syntax with their ASL keys.

use proc_macro2::Span;
use serde_json::{Map as JsonMap, Value};
use sfn_asl::jsonata::{Jsonata, JsonataTemplate};
use sfn_asl::model::*;
use sfn_asl::path::ReferencePath;
use sfn_asl::template::PayloadTemplate;
use syn::Ident;

use crate::ast::{self, Doc, Json};
use crate::fields::{child, FieldBag};
use crate::lower::Lowerer;

pub(crate) type ProcessorEntry<'a> = (
    &'a Ident,
    &'a Option<Doc>,
    &'a Option<Vec<(Ident, Ident)>>,
    &'a ast::Machine,
);

impl Lowerer<'_> {
    pub(crate) fn processor(
        &mut self,
        def: &ast::StateDef,
        processors: Vec<ProcessorEntry<'_>>,
        ptr: &str,
    ) -> Option<ItemProcessor> {
        let mut iter = processors.into_iter();
        let Some((keyword, doc, config, machine)) = iter.next() else {
            self.cx.error(
                def.name.span,
                "a `map` state needs `processor { start ...; ... }`",
            );
            return None;
        };
        for (k, ..) in iter {
            self.cx.error(
                k.span(),
                "a `map` state has one `processor` (or legacy `iterator`)",
            );
        }
        let legacy_iterator = keyword == "iterator";
        let pptr = format!(
            "{ptr}/{}",
            if legacy_iterator {
                "Iterator"
            } else {
                "ItemProcessor"
            }
        );
        self.spans.insert(pptr.clone(), keyword.span());
        let processor_config = config.as_ref().map(|pairs| {
            let mut cfg = ProcessorConfig { mode: None, execution_type: None };
            for (k, v) in pairs {
                self.spans.insert(format!("{pptr}/ProcessorConfig"), k.span());
                match k.to_string().as_str() {
                    "mode" => {
                        cfg.mode = self.enum_value(&v.to_string(), v.span(), ProcessorMode::ALL, ProcessorMode::as_str)
                    }
                    "execution_type" => {
                        cfg.execution_type =
                            self.enum_value(&v.to_string(), v.span(), ExecutionType::ALL, ExecutionType::as_str)
                    }
                    other => self.cx.error(
                        k.span(),
                        format!("unknown processor setting `{other}`; expected `mode` or `execution_type`"),
                    ),
                }
            }
            cfg
        });
        let (start_at, states) = self.machine_nested(machine, &pptr);
        Some(ItemProcessor {
            legacy_iterator,
            comment: doc.as_ref().map(|d| d.text.clone()),
            processor_config,
            start_at,
            states,
        })
    }

    pub(crate) fn map(
        &mut self,
        bag: &mut FieldBag,
        ptr: &str,
        ql: QueryLanguage,
        item_processor: ItemProcessor,
        transition: Transition,
    ) -> StateKind {
        let flow = self.data_flow(bag, ptr, ql);
        let items_path = bag.take("items_path").and_then(|j| match j {
            Json::Str(s) => {
                let reads = crate::lower::Reads::EffectiveInput;
                self.require_path(s, &s.value(), Some("array"), "`items_path` needs", reads);
                self.ref_path_lit(s, "items_path")
            }
            _ => {
                self.cx.error(
                    j.span(),
                    "`items_path` is a reference path string like \"$.items\"",
                );
                None
            }
        });
        let label = bag.take("label").and_then(|j| self.string(j));
        let item_reader = bag
            .take("item_reader")
            .and_then(|j| self.item_reader(j, &format!("{ptr}/ItemReader")));
        let item_batcher = bag
            .take("item_batcher")
            .and_then(|j| self.item_batcher(j, &format!("{ptr}/ItemBatcher"), ql));
        let result_writer = bag
            .take("result_writer")
            .and_then(|j| self.result_writer(j, &format!("{ptr}/ResultWriter")));
        let tolerated_failure_percentage = {
            let lit = bag.take("tolerated_failure_percentage");
            let path = bag.take("tolerated_failure_percentage_path");
            self.dynamic(lit, path, "tolerated_failure_percentage", |lw, j| match j {
                Json::Number(t, s) => t
                    .parse()
                    .map_err(|_| lw.cx.error(*s, "expected a number"))
                    .ok(),
                _ => {
                    lw.cx.error(j.span(), "expected a number from 0 to 100");
                    None
                }
            })
        };
        StateKind::Map(Box::new(Map {
            item_processor,
            items_path,
            items: self.jsonata_field(bag, "items", ptr),
            item_selector: self.template_field(bag, "item_selector", ptr, ql),
            parameters: self.payload_field(bag, "parameters", ptr),
            max_concurrency: self.dynamic_u64(bag, "max_concurrency", ptr),
            item_reader,
            item_batcher,
            result_writer,
            tolerated_failure_percentage,
            tolerated_failure_count: self.dynamic_u64(bag, "tolerated_failure_count", ptr),
            label,
            flow,
            transition,
        }))
    }

    /// The JSON object of a distributed-Map setting, with unknown keys reported.
    fn object(
        &mut self,
        j: &Json,
        ptr: &str,
        what: &str,
        allowed: &[&str],
    ) -> Option<JsonMap<String, Value>> {
        let Value::Object(map) = self.value(j, ptr)? else {
            self.cx.error(
                j.span(),
                format!("`{what}` is an object: `{{ \"Key\": value, ... }}`"),
            );
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let span = self.span_at(&child(ptr, key));
                self.cx.error(
                    span,
                    format!(
                        "`{what}` has no key `{key}`; expected one of `{}`",
                        allowed.join("`, `")
                    ),
                );
            }
        }
        Some(map)
    }

    fn span_at(&self, ptr: &str) -> Span {
        self.spans.lookup(ptr).unwrap_or_else(Span::call_site)
    }

    fn str_key(&mut self, map: &JsonMap<String, Value>, key: &str, ptr: &str) -> Option<String> {
        match map.get(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                let span = self.span_at(&child(ptr, key));
                self.cx.error(span, format!("`{key}` is a string"));
                None
            }
        }
    }

    fn enum_key<T: Copy>(
        &mut self,
        map: &JsonMap<String, Value>,
        key: &str,
        ptr: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Option<T> {
        let s = self.str_key(map, key, ptr)?;
        let span = self.span_at(&child(ptr, key));
        self.enum_value(&s, span, all, name)
    }

    /// `X: 10 | "{% %}"` or `XPath: "$.x"` inside a distributed-Map object.
    fn dyn_key(
        &mut self,
        map: &JsonMap<String, Value>,
        key: &str,
        ptr: &str,
    ) -> Option<Dynamic<u64>> {
        let path_key = format!("{key}Path");
        let span = self.span_at(&child(ptr, key));
        match (map.get(key), map.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.cx.error(
                    span,
                    format!("give either `{key}` or `{path_key}`, not both"),
                );
                None
            }
            (Some(Value::Number(n)), None) => match n.as_u64() {
                Some(v) => Some(Dynamic::Literal(v)),
                None => {
                    self.cx
                        .error(span, format!("`{key}` is a non-negative whole number"));
                    None
                }
            },
            (Some(Value::String(s)), None) if s.starts_with("{%") => match Jsonata::compile(s) {
                Ok(j) => Some(Dynamic::Jsonata(j)),
                Err(e) => {
                    let lit = self.spans.lit(&child(ptr, key)).cloned();
                    self.expr_error_in(lit.as_ref(), span, key, &e);
                    None
                }
            },
            (Some(_), None) => {
                self.cx.error(
                    span,
                    format!("`{key}` is a whole number or a `{{% %}}` expression"),
                );
                None
            }
            (None, Some(Value::String(s))) => {
                let span = self.span_at(&child(ptr, &path_key));
                match ReferencePath::parse(s) {
                    Ok(p) => Some(Dynamic::Path(p)),
                    Err(e) => {
                        self.expr_error(span, &path_key, &e);
                        None
                    }
                }
            }
            (None, Some(_)) => {
                let span = self.span_at(&child(ptr, &path_key));
                self.cx
                    .error(span, format!("`{path_key}` is a reference path string"));
                None
            }
            (None, None) => None,
        }
    }

    fn payload_key(
        &mut self,
        map: &JsonMap<String, Value>,
        key: &str,
        ptr: &str,
    ) -> Option<PayloadTemplate> {
        let v = map.get(key)?;
        let kptr = child(ptr, key);
        self.compiled(PayloadTemplate::compile(v), &kptr, Span::call_site(), key)
    }

    fn jsonata_key(
        &mut self,
        map: &JsonMap<String, Value>,
        key: &str,
        ptr: &str,
    ) -> Option<JsonataTemplate> {
        let v = map.get(key)?;
        let kptr = child(ptr, key);
        self.compiled(JsonataTemplate::compile(v), &kptr, Span::call_site(), key)
    }

    fn item_reader(&mut self, j: &Json, ptr: &str) -> Option<ItemReader> {
        let map = self.object(
            j,
            ptr,
            "item_reader",
            &["Resource", "Parameters", "Arguments", "ReaderConfig"],
        )?;
        let resource = self.str_key(&map, "Resource", ptr).unwrap_or_default();
        let reader_config = match map.get("ReaderConfig") {
            None => None,
            Some(rc) => Some(self.reader_config(rc, &child(ptr, "ReaderConfig"))?),
        };
        Some(ItemReader {
            resource: resource.into(),
            parameters: self.payload_key(&map, "Parameters", ptr),
            arguments: self.jsonata_key(&map, "Arguments", ptr),
            reader_config,
        })
    }

    fn reader_config(&mut self, rc: &Value, rptr: &str) -> Option<ReaderConfig> {
        let Value::Object(rc) = rc else {
            let span = self.span_at(rptr);
            self.cx.error(span, "`ReaderConfig` is an object");
            return None;
        };
        const KEYS: &[&str] = &[
            "InputType",
            "CSVHeaderLocation",
            "CSVHeaders",
            "CSVDelimiter",
            "MaxItems",
            "MaxItemsPath",
            "Transformation",
            "ManifestType",
            "ItemsPointer",
        ];
        for key in rc.keys() {
            if !KEYS.contains(&key.as_str()) {
                let span = self.span_at(&child(rptr, key));
                self.cx.error(
                    span,
                    format!(
                        "`ReaderConfig` has no key `{key}`; expected one of `{}`",
                        KEYS.join("`, `")
                    ),
                );
            }
        }
        let csv_headers = match rc.get("CSVHeaders") {
            None => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            Some(_) => {
                let span = self.span_at(&child(rptr, "CSVHeaders"));
                self.cx.error(span, "`CSVHeaders` is an array of strings");
                None
            }
        };
        Some(ReaderConfig {
            input_type: self.enum_key(rc, "InputType", rptr, InputType::ALL, InputType::as_str),
            csv_header_location: self.enum_key(
                rc,
                "CSVHeaderLocation",
                rptr,
                CsvHeaderLocation::ALL,
                CsvHeaderLocation::as_str,
            ),
            csv_headers,
            csv_delimiter: self.enum_key(
                rc,
                "CSVDelimiter",
                rptr,
                CsvDelimiter::ALL,
                CsvDelimiter::as_str,
            ),
            max_items: self.dyn_key(rc, "MaxItems", rptr),
            transformation: self.enum_key(
                rc,
                "Transformation",
                rptr,
                ReaderTransformation::ALL,
                ReaderTransformation::as_str,
            ),
            manifest_type: self.enum_key(
                rc,
                "ManifestType",
                rptr,
                ManifestType::ALL,
                ManifestType::as_str,
            ),
            items_pointer: self.str_key(rc, "ItemsPointer", rptr),
        })
    }

    fn item_batcher(&mut self, j: &Json, ptr: &str, ql: QueryLanguage) -> Option<ItemBatcher> {
        let map = self.object(
            j,
            ptr,
            "item_batcher",
            &[
                "MaxItemsPerBatch",
                "MaxItemsPerBatchPath",
                "MaxInputBytesPerBatch",
                "MaxInputBytesPerBatchPath",
                "BatchInput",
            ],
        )?;
        let batch_input = match ql {
            QueryLanguage::JsonPath => self
                .payload_key(&map, "BatchInput", ptr)
                .map(Template::JsonPath),
            QueryLanguage::Jsonata => self
                .jsonata_key(&map, "BatchInput", ptr)
                .map(Template::Jsonata),
        };
        Some(ItemBatcher {
            max_items_per_batch: self.dyn_key(&map, "MaxItemsPerBatch", ptr),
            max_input_bytes_per_batch: self.dyn_key(&map, "MaxInputBytesPerBatch", ptr),
            batch_input,
        })
    }

    fn result_writer(&mut self, j: &Json, ptr: &str) -> Option<ResultWriter> {
        let map = self.object(
            j,
            ptr,
            "result_writer",
            &["Resource", "Parameters", "Arguments", "WriterConfig"],
        )?;
        let writer_config = match map.get("WriterConfig") {
            None => None,
            Some(Value::Object(wc)) => {
                let wptr = child(ptr, "WriterConfig");
                Some(WriterConfig {
                    output_type: self.enum_key(
                        wc,
                        "OutputType",
                        &wptr,
                        OutputType::ALL,
                        OutputType::as_str,
                    ),
                    transformation: self.enum_key(
                        wc,
                        "Transformation",
                        &wptr,
                        WriterTransformation::ALL,
                        WriterTransformation::as_str,
                    ),
                })
            }
            Some(_) => {
                let span = self.span_at(&child(ptr, "WriterConfig"));
                self.cx.error(span, "`WriterConfig` is an object");
                None
            }
        };
        Some(ResultWriter {
            resource: self.str_key(&map, "Resource", ptr).map(Into::into),
            parameters: self.payload_key(&map, "Parameters", ptr),
            arguments: self.jsonata_key(&map, "Arguments", ptr),
            writer_config,
        })
    }
}
