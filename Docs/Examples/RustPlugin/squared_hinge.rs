//! An example LossLab plugin in Rust: `squared_hinge_rs`, the mean of max(0, m - d)^2 (pairwise), with a
//! `scale` parameter that multiplies the loss. It mirrors `Sources/CLossLabPlugin/include/losslab_plugin.h`
//! (ABI version 1) with `#[repr(C)]` types and needs nothing but the standard library:
//!
//!     rustc --edition 2021 --crate-type cdylib -O squared_hinge.rs -o libsquared_hinge.so
//!
//! `Tests/LossLabKitTests/RustPluginTests.swift` builds this file exactly so and loads it from a config.

use std::os::raw::c_char;

const LOSSLAB_PLUGIN_ABI_VERSION: u32 = 1;
const LOSSLAB_PAIRWISE: i32 = 0;

#[repr(C)]
pub struct LosslabParameter {
    name: *const c_char,
    default_value: f64,
    minimum: f64,
    maximum: f64,
    doc: *const c_char,
}

type EvaluateFn = unsafe extern "C" fn(
    positives: *const f64,
    negatives: *const f64,
    margins: *const f64,
    rows: i64,
    columns: i64,
    parameters: *const f64,
    value: *mut f64,
    positive_gradients: *mut f64,
    negative_gradients: *mut f64,
    message: *mut c_char,
    message_capacity: i64,
) -> i32;

#[repr(C)]
pub struct LosslabLoss {
    name: *const c_char,
    summary: *const c_char,
    kind: i32,
    parameter_count: i32,
    parameters: *const LosslabParameter,
    evaluate: EvaluateFn,
}

#[repr(C)]
pub struct LosslabPlugin {
    abi_version: u32,
    loss_count: u32,
    losses: *const LosslabLoss,
}

// The tables are immutable and live as long as the library: safe to share between threads.
unsafe impl Sync for LosslabParameter {}
unsafe impl Sync for LosslabLoss {}
unsafe impl Sync for LosslabPlugin {}

/// Copies `text` into the host's message buffer, NUL-terminated, truncated to `capacity` bytes.
unsafe fn write_message(message: *mut c_char, capacity: i64, text: &str) {
    if message.is_null() || capacity <= 0 {
        return;
    }
    let count = text.len().min(capacity as usize - 1);
    std::ptr::copy_nonoverlapping(text.as_ptr() as *const c_char, message, count);
    *message.add(count) = 0;
}

unsafe extern "C" fn squared_hinge(
    positives: *const f64,
    negatives: *const f64,
    margins: *const f64,
    rows: i64,
    columns: i64,
    parameters: *const f64,
    value: *mut f64,
    positive_gradients: *mut f64,
    negative_gradients: *mut f64,
    message: *mut c_char,
    message_capacity: i64,
) -> i32 {
    if rows != 1 {
        let text = format!("squared_hinge_rs takes one negative per positive, got {rows} rows");
        write_message(message, message_capacity, &text);
        return 1;
    }
    let b = columns as usize;
    let (p, n, m) = (
        std::slice::from_raw_parts(positives, b),
        std::slice::from_raw_parts(negatives, b),
        std::slice::from_raw_parts(margins, b),
    );
    let scale = *parameters;
    let mut sum = 0.0;
    for j in 0..b {
        // l = max(0, m - d)^2 with d = p - n; dl/dp = -2 max(0, m - d).
        let x = m[j] - (p[j] - n[j]);
        let shortfall = if x > 0.0 { x } else { 0.0 };
        sum += shortfall * shortfall;
        if !positive_gradients.is_null() {
            let g = -2.0 * shortfall * scale / columns as f64;
            *positive_gradients.add(j) = g;
            *negative_gradients.add(j) = -g;
        }
    }
    *value = scale * sum / columns as f64;
    0
}

static PARAMETERS: [LosslabParameter; 1] = [LosslabParameter {
    name: b"scale\0".as_ptr() as *const c_char,
    default_value: 1.0,
    minimum: 0.0,
    maximum: 100.0,
    doc: b"multiplies the loss\0".as_ptr() as *const c_char,
}];

static LOSSES: [LosslabLoss; 1] = [LosslabLoss {
    name: b"squared_hinge_rs\0".as_ptr() as *const c_char,
    summary: b"mean of max(0, m - d)^2 (a Rust plugin)\0".as_ptr() as *const c_char,
    kind: LOSSLAB_PAIRWISE,
    parameter_count: 1,
    parameters: PARAMETERS.as_ptr(),
    evaluate: squared_hinge,
}];

static PLUGIN: LosslabPlugin = LosslabPlugin {
    abi_version: LOSSLAB_PLUGIN_ABI_VERSION,
    loss_count: 1,
    losses: LOSSES.as_ptr(),
};

/// The entry point the host looks up with `dlsym`.
#[no_mangle]
pub extern "C" fn losslab_plugin_entry() -> *const LosslabPlugin {
    &PLUGIN
}
