// The system SQLite (libsqlite3-dev, found with pkg-config as sqlite3), seen from Swift as the module CSQLite.
// Only LossLabKit's results store imports it, with `internal import`: no SQLite type appears in LossLab's
// public API. A small wrapper of our own (Sources/LossLabKit/Store/SQLite.swift) rather than a package such as
// GRDB.swift keeps the CI build short.
#include <sqlite3.h>
