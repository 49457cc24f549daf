//! The context object (`$$`, `$states.context`).

use serde_json::{Map, Value};
use sfn_asl::model::StateKind;

use super::types::FrameId;
use super::{resolve_scope, Execution};

/// Formats milliseconds since the epoch as AWS writes context timestamps
/// (`2024-01-01T00:00:00.000Z`, UTC). Hand-written, digits pushed without `format!`, because
/// it runs as every execution starts.
pub(crate) fn iso_time(ms: u64) -> String {
    let secs = ms / 1000;
    let rem = secs % 86_400;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    let mut s = String::with_capacity(24);
    let fields = [
        (u64::try_from(y).unwrap_or(0), 4, '-'),
        (u64::try_from(m).unwrap_or(0), 2, '-'),
        (u64::try_from(d).unwrap_or(0), 2, 'T'),
        (rem / 3600, 2, ':'),
        (rem / 60 % 60, 2, ':'),
        (rem % 60, 2, '.'),
        (ms % 1000, 3, 'Z'),
    ];
    for (n, width, sep) in fields {
        push_padded(&mut s, n, width);
        s.push(sep);
    }
    s
}

/// Appends `n` in decimal, zero-padded to `width` digits.
fn push_padded(s: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut rest = n;
    loop {
        i -= 1;
        // `rest % 10` is below 10: the cast keeps it.
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 || i == 0 {
            break;
        }
    }
    let len = digits.len() - i;
    for _ in len..width {
        s.push('0');
    }
    for &b in &digits[i..] {
        s.push(char::from(b));
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

impl Execution {
    /// `$$` without the per-state parts. Built member by member with room for what is added
    /// later (`RedriveCount`; `State`, `Task`, `Map`): `json!` would serialize every value
    /// (the execution's input included) and grow each map as it fills. Runs once per execution.
    pub(crate) fn base_context(&self) -> Value {
        let c = &self.data.config;
        let mut execution = Map::with_capacity(6);
        execution.insert("Id".into(), c.execution_arn.clone().into());
        execution.insert("Input".into(), self.data.input.clone());
        execution.insert("Name".into(), c.name.clone().into());
        execution.insert("RoleArn".into(), c.role_arn.clone().into());
        execution.insert("StartTime".into(), iso_time(self.data.start_time).into());
        if !c.express {
            execution.insert("RedriveCount".into(), self.data.redrive_count.into());
            if let Some(at) = self.data.redrive_time {
                execution.insert("RedriveTime".into(), super::redrive::redrive_time(at));
            }
        }
        let mut machine = Map::with_capacity(2);
        machine.insert("Id".into(), c.state_machine_arn.clone().into());
        machine.insert("Name".into(), c.state_machine_name.clone().into());
        let mut context = Map::with_capacity(5);
        context.insert("Execution".into(), Value::Object(execution));
        context.insert("StateMachine".into(), Value::Object(machine));
        Value::Object(context)
    }

    /// Sets `$$.State` for the active state of `frame` (and drops `Task`/`Map`, which only
    /// exist while a token task or an item selector is evaluated).
    pub(crate) fn set_state_context(&mut self, frame: FrameId) {
        let machine = self.machine.clone();
        let Some(f) = self.data.frames.get(&frame) else {
            return;
        };
        let Some(active) = &f.active else { return };
        let Some(states) = resolve_scope(&machine, &f.scope) else {
            return;
        };
        let Some((name, state)) = states.get_index(active.state) else {
            return;
        };
        let retry = matches!(state.kind, StateKind::Task(_)).then_some(active.retry_count);
        let entered = active.entered_time;
        self.set_state_context_to(frame, name, entered, retry);
    }

    /// [`Execution::set_state_context`] with the active state's name, `EnteredTime` (ms) and
    /// `RetryCount` (Task states only) looked up by the caller. Updates in place: this runs on
    /// every state entry.
    pub(crate) fn set_state_context_to(
        &mut self,
        frame: FrameId,
        name: &str,
        at: u64,
        retry: Option<u64>,
    ) {
        self.switch_context(frame);
        if self.time_cache.0 != at || self.time_cache.1.is_empty() {
            self.time_cache = (at, iso_time(at));
        }
        let entered = &self.time_cache.1;
        let Value::Object(ctx) = &mut self.context else {
            return;
        };
        // `State` is the third key (after `Execution` and `StateMachine`) and its fields are
        // in a fixed order, so they are updated by position: no key hashing per transition.
        let state_ctx = ctx.values_mut().nth(2);
        match state_ctx {
            Some(Value::Object(st)) if st.len() == 2 + usize::from(retry.is_some()) => {
                let mut fields = st.values_mut();
                // Written in place: most states share their instant, and a copy into the
                // existing text allocates nothing.
                match fields.next() {
                    Some(Value::String(t)) if t == entered => {}
                    Some(Value::String(t)) => t.clone_from(entered),
                    Some(v) => *v = Value::String(entered.clone()),
                    None => {}
                }
                if let Some(Value::String(n)) = fields.next() {
                    n.clear();
                    n.push_str(name);
                }
                if let (Some(v), Some(r)) = (fields.next(), retry) {
                    *v = r.into();
                }
            }
            _ => {
                let mut st = Map::new();
                st.insert("EnteredTime".into(), entered.clone().into());
                st.insert("Name".into(), name.into());
                if let Some(r) = retry {
                    st.insert("RetryCount".into(), r.into());
                }
                ctx.insert("State".into(), Value::Object(st));
            }
        }
        if ctx.len() > 3 {
            for transient in ["Task", "Map"] {
                ctx.shift_remove(transient);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::iso_time;

    #[test]
    fn formats_like_aws() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_704_067_200_000), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_709_164_800_123), "2024-02-29T00:00:00.123Z");
        assert_eq!(iso_time(951_868_799_999), "2000-02-29T23:59:59.999Z");
        assert_eq!(iso_time(4_102_444_800_000), "2100-01-01T00:00:00.000Z");
    }
}
