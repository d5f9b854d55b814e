// The example C plugin exports only losslab_plugin_entry (declared in losslab_plugin.h).
#include <losslab_plugin.h>
