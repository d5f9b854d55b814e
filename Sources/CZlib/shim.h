// The system zlib (zlib1g-dev, found with pkg-config as zlib), seen from Swift as the module CZlib.
// Only Recommender imports it, with `internal import`, to read gzip-compressed data files: no zlib type
// appears in LossLab's public API.
#include <zlib.h>
