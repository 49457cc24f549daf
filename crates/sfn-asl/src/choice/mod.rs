//! Evaluation of JSONPath choice rules (the rule types are in [`crate::model`]). (Placeholder.)
