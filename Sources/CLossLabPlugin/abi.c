// The plugin ABI is header-only; this file gives the C module a translation unit.
#include "losslab_plugin.h"
