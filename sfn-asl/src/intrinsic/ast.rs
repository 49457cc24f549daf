//! The parsed form of an intrinsic call: a function and its arguments.

use serde_json::Value;

use crate::path::Path;

macro_rules! functions {
    ($($(#[$doc:meta])* $name:ident = $text:literal, $min:literal, $max:expr;)*) => {
        /// A built-in intrinsic function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Function { $($(#[$doc])* $name,)* }

        impl Function {
            /// Every function.
            pub const ALL: &'static [Function] = &[$(Function::$name,)*];
            /// The name as written (`States.Format`).
            pub fn name(self) -> &'static str { match self { $(Function::$name => $text,)* } }
            /// The function called `name`.
            pub fn from_name(name: &str) -> Option<Function> {
                match name { $($text => Some(Function::$name),)* _ => None }
            }
            /// The fewest arguments the function takes.
            pub fn min_args(self) -> usize { match self { $(Function::$name => $min,)* } }
            /// The most arguments the function takes (`None`: no limit).
            pub fn max_args(self) -> Option<usize> { match self { $(Function::$name => $max,)* } }
        }
    };
}

functions! {
    /// `States.Format(template, values...)`.
    Format = "States.Format", 1, None;
    /// `States.StringToJson(string)`.
    StringToJson = "States.StringToJson", 1, Some(1);
    /// `States.JsonToString(value)`.
    JsonToString = "States.JsonToString", 1, Some(1);
    /// `States.Array(values...)`.
    Array = "States.Array", 0, None;
    /// `States.ArrayPartition(array, size)`.
    ArrayPartition = "States.ArrayPartition", 2, Some(2);
    /// `States.ArrayContains(array, value)`.
    ArrayContains = "States.ArrayContains", 2, Some(2);
    /// `States.ArrayRange(start, end, step)`.
    ArrayRange = "States.ArrayRange", 3, Some(3);
    /// `States.ArrayGetItem(array, index)`.
    ArrayGetItem = "States.ArrayGetItem", 2, Some(2);
    /// `States.ArrayLength(array)`.
    ArrayLength = "States.ArrayLength", 1, Some(1);
    /// `States.ArrayUnique(array)`.
    ArrayUnique = "States.ArrayUnique", 1, Some(1);
    /// `States.Base64Encode(string)`.
    Base64Encode = "States.Base64Encode", 1, Some(1);
    /// `States.Base64Decode(string)`.
    Base64Decode = "States.Base64Decode", 1, Some(1);
    /// `States.Hash(data, algorithm)`.
    Hash = "States.Hash", 2, Some(2);
    /// `States.JsonMerge(left, right, deep)`.
    JsonMerge = "States.JsonMerge", 3, Some(3);
    /// `States.MathRandom(start, end[, seed])`.
    MathRandom = "States.MathRandom", 2, Some(3);
    /// `States.MathAdd(a, b)`.
    MathAdd = "States.MathAdd", 2, Some(2);
    /// `States.StringSplit(string, delimiters)`.
    StringSplit = "States.StringSplit", 2, Some(2);
    /// `States.UUID()`.
    Uuid = "States.UUID", 0, Some(0);
}

/// A call: the function and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function.
    pub function: Function,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `'text'`, with escapes resolved.
    String(StringLiteral),
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A path over the input (`$.x`), the context object (`$$.x`) or a variable (`$v.x`).
    Path(Path),
    /// A nested call.
    Call(Box<Call>),
}

/// A quoted string argument.
#[derive(Debug, Clone, PartialEq)]
pub struct StringLiteral {
    /// The text with every escape resolved, as a JSON string value.
    pub value: Value,
    /// The text split at each unescaped `{}` (what `States.Format` fills in); an escaped
    /// `\{` or `\}` stays literal text.
    pub pieces: Vec<String>,
}
