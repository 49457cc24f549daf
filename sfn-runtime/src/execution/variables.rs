//! Variable limits: one variable at most 256 KiB, one `Assign` at most 256 KiB, all variables of
//! an execution at most 10 MiB (sizes of the values' JSON text).

use serde_json::{Map, Value};
use sfn_asl::error::STATES_RUNTIME;

use super::errors::Failure;
use super::types::FrameId;
use super::Execution;
use crate::limits::{json_size, MAX_ASSIGN_BYTES, MAX_VARIABLES_BYTES, MAX_VARIABLE_BYTES};

impl Execution {
    /// Checks an `Assign` of `state` in `frame` against the limits; on success, the frame's
    /// variable bytes once it is stored.
    pub(crate) fn check_assign(
        &self,
        frame: FrameId,
        state: &str,
        assign: &Map<String, Value>,
    ) -> Result<usize, Failure> {
        let mut assigned = 0usize;
        let mut replaced = 0usize;
        let vars = self.data.frames.get(&frame).map(|f| &f.vars);
        for (name, value) in assign {
            let size = json_size(value, MAX_VARIABLE_BYTES);
            if size > MAX_VARIABLE_BYTES {
                return Err(over(format!(
                    "The variable '{name}' assigned by the state '{state}' is larger than \
                     {MAX_VARIABLE_BYTES} bytes, the limit for one variable."
                )));
            }
            assigned += size;
            if let Some(old) = vars.and_then(|v| v.get(name)) {
                replaced += json_size(old, usize::MAX);
            }
        }
        if assigned > MAX_ASSIGN_BYTES {
            return Err(over(format!(
                "The Assign of the state '{state}' is larger than {MAX_ASSIGN_BYTES} bytes, the \
                 limit for all variables of one Assign."
            )));
        }
        let own = self.data.frames.get(&frame).map_or(0, |f| f.vars_bytes);
        let frame_bytes = (own + assigned).saturating_sub(replaced);
        let total = self.variable_bytes(frame) - own + frame_bytes;
        if total > MAX_VARIABLES_BYTES {
            return Err(over(format!(
                "The variables of the execution would be larger than {MAX_VARIABLES_BYTES} bytes \
                 after the Assign of the state '{state}', the limit for all variables of an \
                 execution."
            )));
        }
        Ok(frame_bytes)
    }

    /// The variable bytes of the execution `frame` belongs to (a distributed Map child is an
    /// execution of its own).
    fn variable_bytes(&self, frame: FrameId) -> usize {
        let root = self.child_root(frame);
        self.data
            .frames
            .iter()
            .filter(|(id, f)| f.vars_bytes > 0 && self.child_root(**id) == root)
            .map(|(_, f)| f.vars_bytes)
            .sum()
    }
}

fn over(cause: String) -> Failure {
    Failure::new(STATES_RUNTIME, cause)
}
