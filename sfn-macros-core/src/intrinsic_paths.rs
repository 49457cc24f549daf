//! The input paths among an intrinsic call's arguments, recorded for the shape checks with the
//! kind each argument needs: `"States.MathAdd($.total, 1)"` needs a number at `$.total`.

use sfn_asl::intrinsic::ast::{Arg, Call, Function};
use sfn_asl::intrinsic::IntrinsicCall;
use syn::LitStr;

use crate::lower::{Lowerer, Reads};

impl Lowerer<'_> {
    /// Records the input paths among the arguments of the intrinsic call written in `lit`
    /// (`"States.Format('Order {}', $.order_id)"`, nested calls too).
    pub(crate) fn record_intrinsic_paths(&mut self, lit: &LitStr, reads: Reads) {
        let Ok(call) = IntrinsicCall::parse(&lit.value()) else {
            return; // the compiler's error is reported where the value is lowered
        };
        let mut calls: Vec<&Call> = vec![call.call()];
        // Nesting is capped by the parser, so the walk ends.
        while let Some(c) = calls.pop() {
            for (i, arg) in c.args.iter().enumerate() {
                match arg {
                    Arg::Path(p) if p.source().starts_with("$.") || p.source() == "$" => {
                        let need = format!("`{}` needs", c.function.name());
                        let kind = argument_kind(c.function, i);
                        self.require_path(lit, p.source(), kind, &need, reads)
                    }
                    Arg::Call(inner) => calls.push(inner),
                    _ => {}
                }
            }
        }
    }
}

/// The JSON kind argument `i` of `f` must have, where Step Functions requires one.
fn argument_kind(f: Function, i: usize) -> Option<&'static str> {
    use Function::*;
    match (f, i) {
        (MathAdd | MathRandom | ArrayRange, _) => Some("number"),
        (ArrayPartition | ArrayGetItem, 1) => Some("number"),
        (ArrayPartition | ArrayGetItem | ArrayContains | ArrayLength | ArrayUnique, 0) => {
            Some("array")
        }
        (StringToJson | Base64Encode | Base64Decode | Hash | StringSplit, _) => Some("string"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_need_the_kinds_step_functions_requires() {
        assert_eq!(argument_kind(Function::MathAdd, 1), Some("number"));
        assert_eq!(argument_kind(Function::ArrayLength, 0), Some("array"));
        assert_eq!(argument_kind(Function::ArrayGetItem, 1), Some("number"));
        assert_eq!(argument_kind(Function::ArrayContains, 1), None);
        assert_eq!(argument_kind(Function::Format, 1), None);
        assert_eq!(argument_kind(Function::Hash, 1), Some("string"));
    }
}
