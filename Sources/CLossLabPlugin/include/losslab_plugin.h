/*
 * losslab_plugin.h — the C ABI of LossLab loss plugins, version 1.
 *
 * A plugin is a shared library that exports one function, `losslab_plugin_entry`, returning a table of
 * losses. LossLab (`plugins:` in a config, `--plugin PATH` on the command line) loads it with dlopen,
 * checks `abi_version`, and registers each loss by name, like a built-in: usable in `losses:`, with
 * partial credit (the margins), and, for pairwise losses, through the host's own adaptive variant when the
 * plugin registers one.
 *
 * Layout of a batch (as everywhere in LossLab): `positives` has `columns` (B) values; `negatives`,
 * `margins` and `negative_gradients` have `rows` (N) × `columns` values, row by row (row k, column j at
 * k * columns + j). Pairwise losses get rows = 1. `margins` is never NULL (1 everywhere without partial
 * credit). `positive_gradients` and `negative_gradients` are NULL when only the value is wanted;
 * otherwise the plugin overwrites every element. All numbers are finite when the host calls.
 *
 * `evaluate` returns 0 on success. On failure it returns non-zero and writes a NUL-terminated message of
 * at most `message_capacity` bytes into `message`; the host reports it with the loss's name and file.
 * The host also rejects a non-finite value or gradient.
 *
 * The host checks the whole table when it loads the plugin, before it registers anything, and refuses
 * the plugin with a message naming the field (`plugin ./bad.so: losses[1].parameter_count is -1; it must
 * be between 0 and 64`) when: the table is NULL or has another `abi_version`; `loss_count` is above 1024,
 * or positive with `losses` NULL; a loss's `name` is NULL, longer than 64 bytes, not lower-case snake
 * case or used twice; its `summary` is longer than 256 bytes, not UTF-8 or has a control character
 * (a NULL summary is allowed); its `kind` is neither LOSSLAB_PAIRWISE nor LOSSLAB_ADAPTIVE; its
 * `parameter_count` is outside 0...64, or positive with `parameters` NULL; its `evaluate` is NULL; a
 * parameter's `name` is NULL, longer than 64 bytes, not an identifier or used twice in its loss; its
 * `doc` breaks the rules of a summary; a value is NaN, the default is infinite, or
 * minimum <= default_value <= maximum does not hold. Strings are read up to their bound only.
 *
 * Plugins may be written in C, Rust or Swift (`@_cdecl("losslab_plugin_entry")`); the examples in this
 * repository are `Sources/ExampleCPlugin`, `Sources/ExampleSwiftPlugin` and
 * `Docs/Examples/RustPlugin/squared_hinge.rs`.
 */
#ifndef LOSSLAB_PLUGIN_H
#define LOSSLAB_PLUGIN_H

#include <stdint.h>

#define LOSSLAB_PLUGIN_ABI_VERSION 1

enum { LOSSLAB_PAIRWISE = 0, LOSSLAB_ADAPTIVE = 1 };

/* A real-valued parameter of a loss: validated by the host (minimum <= value <= maximum). */
typedef struct {
  const char *name;     /* an identifier, [A-Za-z_][A-Za-z0-9_]*, at most 64 bytes; unique in its loss */
  double default_value; /* finite, minimum <= default_value <= maximum */
  double minimum;       /* not NaN; -INFINITY for no lower bound */
  double maximum;       /* not NaN; INFINITY for no upper bound */
  const char *doc;      /* one line for `losslab list`, at most 256 bytes of UTF-8; may be NULL */
} losslab_parameter;

typedef int32_t (*losslab_evaluate_fn)(
    const double *positives, const double *negatives, const double *margins, int64_t rows, int64_t columns,
    const double *parameters, double *value, double *positive_gradients, double *negative_gradients,
    char *message, int64_t message_capacity);

typedef struct {
  const char *name;     /* lower-case snake case, e.g. "cubic_hinge"; at most 64 bytes */
  const char *summary;  /* one line for `losslab list`, at most 256 bytes of UTF-8; may be NULL */
  int32_t kind;         /* LOSSLAB_PAIRWISE or LOSSLAB_ADAPTIVE */
  int32_t parameter_count; /* 0 ... 64 */
  const losslab_parameter *parameters; /* parameter_count entries; values reach evaluate in this order */
  losslab_evaluate_fn evaluate; /* not NULL */
} losslab_loss;

typedef struct {
  uint32_t abi_version; /* LOSSLAB_PLUGIN_ABI_VERSION */
  uint32_t loss_count;        /* at most 1024 */
  const losslab_loss *losses; /* loss_count entries; may be NULL only when loss_count is 0 */
} losslab_plugin;

/* The entry point every plugin exports. */
const losslab_plugin *losslab_plugin_entry(void);

#endif
